"""`dbt source freshness` on the raw tables: RudderStack stamps each row with its load time
(uuid_ts); a table whose newest load is older than the thresholds warns, then errors."""

from __future__ import annotations

import datetime as dt

import pytest


def _row(table: str, loaded: dt.datetime) -> dict:
    return {"id": f"{table}-1", "anonymous_id": "a", "timestamp": loaded, "received_at": loaded, "uuid_ts": loaded}


@pytest.mark.engines("duckdb", "postgres")
def test_source_freshness_reads_each_tables_load_time(engine: str, workspace) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    loads = {  # dbt_project.yml, sources: warn after 6 hours, error after 24
        "tracks": now - dt.timedelta(minutes=40),
        "pages": now - dt.timedelta(hours=8),
        "screens": now - dt.timedelta(hours=2),
        "identifies": now - dt.timedelta(hours=30),
    }
    workspace.load_raw({table: [_row(table, loaded)] for table, loaded in loads.items()})
    result = workspace.dbt("source", "freshness", vars={"rudderstack_schema": workspace.raw_schema}, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    lines = [line for line in output.splitlines() if " freshness of rudderstack." in line]
    status = {table: next(line for line in lines if f"rudderstack.{table} " in line and "START" not in line)
              for table in loads}
    assert "PASS" in status["tracks"] and "PASS" in status["screens"], lines
    assert "WARN" in status["pages"], lines
    assert "ERROR STALE" in status["identifies"], lines

    # A web-only source has no screens: freshness selects the tables it has (README, "Freshness").
    workspace.execute('drop table "{raw}".screens')
    workspace.execute('drop table "{raw}".identifies')
    result = workspace.dbt("source", "freshness", "--exclude", "source:rudderstack.screens",
                           "source:rudderstack.identifies", vars={"rudderstack_schema": workspace.raw_schema})
    assert "WARN freshness of rudderstack.pages" in result.stdout, result.stdout[-3000:]
