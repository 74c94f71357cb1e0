"""Personal data (README, "Data quality and safety"): raw columns reach the marts only when
listed in event_passthrough_columns; those also in rudderstack_personal_columns arrive as
the salted SHA-256 of their text. The salt is made in the warehouse, kept by
--full-refresh, and never written to dbt's files (target/, logs/)."""

from __future__ import annotations

import datetime as dt
import hashlib

PERSONAL = {"event_passthrough_columns": ["context_traits_email", "context_ip"],
            "rudderstack_personal_columns": ["context_traits_email"]}
EMAILS = ["ann@example.com", None, "Ünïcode <bob>@example.com", "ann@example.com"]


def _tracks() -> list[dict]:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    return [{"id": f"t{i}", "anonymous_id": f"visitor-{i}", "timestamp": at, "received_at": at, "channel": "web",
             "event_text": "Signed Up", "context_traits_email": email, "context_ip": f"10.0.0.{i}"}
            for i, email in enumerate(EMAILS)]


def test_personal_columns_reach_the_marts_hashed(engine: str, workspace) -> None:
    workspace.load_raw({"tracks": _tracks()})
    workspace.build_on_raw(PERSONAL)

    salts = workspace.query("select salt from {internal}.personal_data_salt")
    assert len(salts) == 1 and len(salts[0]["salt"]) >= 64, salts
    salt = salts[0]["salt"]
    rows = {r["event_id"]: r for r in workspace.query(
        "select event_id, context_traits_email, context_ip from {schema}.fct_events_passthrough")}
    for i, email in enumerate(EMAILS):
        expected = None if email is None else hashlib.sha256(f"{salt}:{email}".encode()).hexdigest()
        assert rows[f"t{i}"]["context_traits_email"] == expected, (i, rows[f"t{i}"])
        assert rows[f"t{i}"]["context_ip"] == f"10.0.0.{i}"  # listed as passthrough only: as it is

    # No other mart carries a raw column; the salt is in no file dbt wrote.
    marts = {name: columns for name, columns in workspace.built_columns().items()
             if name.startswith(("fct_", "dim_")) and name != "fct_events_passthrough"}
    assert marts and not [(n, c) for n, cs in marts.items() for c in cs if c.lower().startswith("context_")]
    for directory in ("target", "logs"):
        leaked = [str(path) for path in (workspace.directory / directory).rglob("*")
                  if path.is_file() and salt.encode() in path.read_bytes()]
        assert leaked == [], f"the salt is written in {leaked}"

    # --full-refresh keeps the salt, so the hashes stay comparable across rebuilds.
    workspace.build_on_raw(PERSONAL, "--full-refresh")
    assert workspace.query("select salt from {internal}.personal_data_salt") == salts
    again = {r["event_id"]: r for r in workspace.query(
        "select event_id, context_traits_email, context_ip from {schema}.fct_events_passthrough")}
    assert again == rows
