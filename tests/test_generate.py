"""The generator: the same seed gives the same rows in every format and chunking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from tests.compare import assert_same_tables, snapshot
from tests.harness import DBT, PROJECT_DIR

from tools.generate import DuckDBWriter, FileWriter, Knobs, generate
from tools.rudderstack_tables import TABLES

KNOBS = Knobs(events=3000, days=3, seed=5, invalid_rate=0.01)


def rows_of(path: Path, file_format: str, table: str) -> list[tuple]:
    reader = "read_parquet" if file_format == "parquet" else "read_csv"
    source = f"'{path}/{table}/*.parquet'" if file_format == "parquet" else f"'{path}/{table}.csv'"
    options = "" if file_format == "parquet" else ", all_varchar = true"
    with duckdb.connect() as connection:
        return sorted(map(repr, connection.execute(f"select * from {reader}({source}{options})").fetchall()))


def test_same_seed_same_rows_whatever_the_chunking(tmp_path: Path) -> None:
    one = generate(KNOBS, FileWriter(tmp_path / "one", "parquet"), quiet=True)
    many = generate(KNOBS, FileWriter(tmp_path / "many", "parquet"), events_per_chunk=300, quiet=True)
    assert one == many and one["tracks"] > 0
    for table in TABLES:
        assert rows_of(tmp_path / "one", "parquet", table) == rows_of(tmp_path / "many", "parquet", table)


def test_every_target_gets_the_same_counts(tmp_path: Path) -> None:
    counts = generate(KNOBS, DuckDBWriter(tmp_path / "gen.duckdb", "raw"), quiet=True)
    assert counts == generate(KNOBS, FileWriter(tmp_path / "csv", "csv"), quiet=True)
    with duckdb.connect(str(tmp_path / "gen.duckdb")) as connection:
        for table, count in counts.items():
            assert connection.execute(f"select count(*) from raw.{table}").fetchone()[0] == count
    for table, count in counts.items():
        assert len(rows_of(tmp_path / "csv", "csv", table)) == count


def test_the_data_holds_what_the_help_promises(tmp_path: Path) -> None:
    generate(KNOBS, DuckDBWriter(tmp_path / "gen.duckdb", "raw"), quiet=True)
    with duckdb.connect(str(tmp_path / "gen.duckdb")) as connection:
        [row] = connection.execute("""
            select
                count(*) filter (where channel = 'web' and length(cast(context_session_id as varchar)) = 13),
                count(*) filter (where channel = 'mobile' and length(cast(context_session_id as varchar)) = 10),
                count(*) filter (where channel = 'server' and anonymous_id is null and context_session_id is null),
                count(*) filter (where channel = 'web' and context_session_id is null),
                count(*) - count(distinct id),
                count(*) filter (where received_at > "timestamp" + interval 1 day),
                count(*) filter (where id is null or "timestamp" is null)
            from raw.tracks
        """).fetchall()
    assert all(value > 0 for value in row), row


def test_generated_data_builds_where_the_readme_says(workspace_factory) -> None:
    """README, Generating data: the generator's DuckDB default is the duckdb target's
    database, so the build that follows it, as written there, reads the generated rows."""
    workspace = workspace_factory("duckdb", "generated_default")
    env = {key: value for key, value in workspace.env().items() if key != "DBT_DUCKDB_PATH"}
    # The target's default file, in the working directory, as for a user who set nothing.
    workspace.duckdb_path.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "tools.generate", "--events", "2000", "--days", "2", "--quiet"],
                   cwd=workspace.directory, env={**env, "PYTHONPATH": str(PROJECT_DIR)}, check=True)
    assert (workspace.directory / "rudderstack_sessions.duckdb").exists()
    built = subprocess.run([DBT, "build", "--full-refresh", "--exclude-resource-type", "unit_test",
                            "--project-dir", str(PROJECT_DIR),
                            "--target-path", "target", "--log-path", "logs",
                            "--vars", "{rudderstack_schema: rudderstack_raw}"],
                           cwd=workspace.directory, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:]
    with duckdb.connect(str(workspace.directory / "rudderstack_sessions.duckdb"), read_only=True) as connection:
        [[events]] = connection.execute("select count(*) from main.fct_events").fetchall()
    assert events > 1000


def test_an_appended_day_has_ids_of_its_own_and_builds_incrementally(workspace_factory) -> None:
    """README, Generating data: --append adds the next day (the same actors coming back, no
    id of an earlier day reused), and the incremental build that absorbs it ends where a
    full refresh of the same rows would."""
    workspace = workspace_factory("duckdb", "generated_append")
    generate_args = ["--database", str(workspace.duckdb_path), "--schema", workspace.raw_schema, "--quiet"]

    def generated(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "tools.generate", *args, *generate_args], cwd=PROJECT_DIR, check=True)

    def activity(where: str = "true") -> list[tuple]:
        """(id, anonymous_id, day) of the activity rows matching `where`."""
        with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
            return connection.execute(" union all ".join(
                f'select id, anonymous_id, cast("timestamp" as date) from "{workspace.raw_schema}".{table}'
                f" where {where}" for table in ("tracks", "pages", "screens"))).fetchall()

    generated("--events", "2000", "--days", "2", "--seed", "9")
    first = activity()
    last_day = max(day for _, _, day in first if day is not None)
    workspace.build_on_raw()
    generated("--events", "1000", "--days", "1", "--seed", "9", "--append")
    appended = activity(f"cast(\"timestamp\" as date) > date '{last_day}'")
    assert len(appended) > 500, "the appended day holds events"
    assert not {i for i, _, _ in appended} & {i for i, _, _ in first}, "an appended row reuses an earlier id"
    returning = {a for _, a, _ in appended if a} & {a for _, a, _ in first if a}
    assert len(returning) > 10, "the people of the first days come back"

    workspace.build_on_raw()
    [run] = workspace.query("select is_incremental from {internal}.state_runs order by run_number desc limit 1")
    assert run["is_incremental"] is True
    incremental = snapshot(workspace)
    workspace.build_on_raw(None, "--full-refresh")
    assert_same_tables(incremental, snapshot(workspace), "an appended day, incrementally vs --full-refresh")
