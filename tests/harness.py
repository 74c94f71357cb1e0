"""Run the dbt project against one engine from pytest, and read its output back.

Each Workspace is isolated: its own DuckDB file (or its own PostgreSQL schemas), its own
target and log paths, so tests never see each other's relations or partial-parse state.
"""

from __future__ import annotations

import datetime as dt
import json
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.pg_server import PostgresServer
from tests.spark_session import SparkDbt
from tools.load import load_duckdb, load_postgres, write_parquet

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The dbt of the interpreter running the tests (.venv/bin/dbt), whatever PATH says.
DBT = str(Path(sys.executable).with_name("dbt"))


class DbtFailed(AssertionError):
    """A dbt command exited non-zero; the message holds its output."""


@dataclass
class Workspace:
    engine: str  # 'duckdb' | 'postgres' | 'spark'
    directory: Path
    name: str
    postgres: PostgresServer | None = None
    spark: SparkDbt | None = None
    # The dbt project the workspace builds (a test may build a modified copy).
    project_dir: Path = PROJECT_DIR
    raw_schema: str = field(init=False)
    target_schema: str = field(init=False)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # DuckDB: every workspace has a file of its own, so one raw schema name serves them
        # all, and their `--vars` (which name it) match: see _parse_cache. Not the generator's
        # default (rudderstack_raw): a test that passes it --schema must still see it obeyed.
        self.raw_schema = "raw_workspace" if self.engine == "duckdb" else f"raw_{self.name}"
        self.target_schema = "main" if self.engine == "duckdb" else f"dbt_{self.name}"

    # -- environment -------------------------------------------------------------------
    @property
    def duckdb_path(self) -> Path:
        return self.directory / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
            "DBT_TARGET": self.engine,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_THREADS": "4",
            # Not UTC on purpose: results must not depend on the session's time zone.
            "TZ": "America/New_York",
        }
        if self.engine == "duckdb":
            env["DBT_DUCKDB_PATH"] = str(self.duckdb_path)
        elif self.engine == "spark":
            assert self.spark is not None
            env.update(self.spark.env())
            env["DBT_SPARK_SCHEMA"] = self.target_schema
        else:
            assert self.postgres is not None
            env.update(self.postgres.dbt_env())
            env["DBT_POSTGRES_SCHEMA"] = self.target_schema
        return env

    # -- loading -------------------------------------------------------------------------
    def load_raw(
        self,
        rows_by_table: Mapping[str, Sequence[Mapping[str, Any]]],
        drop_columns: Mapping[str, Iterable[str]] | None = None,
        column_types: Mapping[str, Mapping[str, str]] | None = None,
        append: bool = False,
    ) -> None:
        """Write raw RudderStack tables into this workspace's raw schema (append: add rows)."""
        if self.engine == "duckdb":
            load_duckdb(self.duckdb_path, self.raw_schema, rows_by_table, drop_columns, column_types, append)
        elif self.engine == "spark":
            # As a user would: Parquet files, registered as tables by the project's operation.
            write_parquet(self.directory / "raw_parquet", rows_by_table, drop_columns, column_types, append)
            self.register_parquet(self.directory / "raw_parquet", self.raw_schema)
        else:
            assert self.postgres is not None
            load_postgres(
                self.postgres.connect_kwargs(), self.raw_schema, rows_by_table, drop_columns, column_types, append
            )

    def register_parquet(self, directory: Path, schema: str) -> None:
        """Spark: Parquet files as the raw tables of `schema`, with the project's operation."""
        self.dbt("run-operation", "register_rudderstack_parquet", "--args",
                 json.dumps({"path": str(directory), "schema": schema}))

    # -- dbt -----------------------------------------------------------------------------
    def _dbt_command(self, args: Sequence[str], vars: Mapping[str, Any] | None) -> list[str]:
        command = [
            DBT,
            *args,
            "--project-dir", str(self.project_dir),
            # (dbt deps writes no target directory, and refuses the option)
            *([] if args[0] == "deps" else ["--target-path", str(self.directory / "target")]),
            "--log-path", str(self.directory / "logs"),
        ]
        if vars:
            command += ["--vars", json.dumps(dict(vars))]
        return command

    def _dbt_env(self) -> dict[str, str]:
        """env() for a dbt command, which runs in the workspace directory: there the DuckDB
        file is named relative to it, so every DuckDB workspace's profile is the same and dbt
        accepts another workspace's partial-parse file (_parse_cache)."""
        env = self.env()
        if self.engine == "duckdb":
            env["DBT_DUCKDB_PATH"] = self.duckdb_path.name
        return env

    # -- parsing -------------------------------------------------------------------------
    def _parse_cache(self, env: Mapping[str, str], vars: Mapping[str, Any] | None) -> Path:
        """Where this worker keeps dbt's partial-parse file for one set of parse inputs.

        A full parse costs ~3.5 s of CPU per dbt command, and dbt keeps one partial-parse
        file per target path, valid for one set of --vars: a workspace whose commands
        alternate vars, or a new workspace, parsed everything again. Keyed by everything
        that reaches parsing (project, target, --vars, every DBT_* variable), the file is
        given back to any later command with the same inputs, and dbt still checks it as
        usual (version, vars, profile and connection, dbt_project.yml, every file's
        checksum, env vars) and parses whatever changed. DuckDB workspaces differ only by
        their directory (the profile names the file relative to it: _dbt_env), so they
        share entries; PostgreSQL and Spark workspaces have schemas of their own, so their
        entries are their own (the directory is in the key)."""
        parse_env = {k: v for k, v in env.items() if k.startswith("DBT_")}
        key = json.dumps([self.engine, str(self.project_dir), self.target_schema,
                          "" if self.engine == "duckdb" else str(self.directory),
                          sorted(parse_env.items()), dict(vars) if vars else None], sort_keys=True, default=str)
        return self.directory.parent / ".dbt_partial_parse" / f"{hashlib.sha256(key.encode()).hexdigest()}.msgpack"

    def _reuse_parse(self, cached: Path) -> int | None:
        """Give dbt the cached partial-parse file, if any; returns the modification time of
        the file dbt will read (None: none), to tell whether the command wrote a new one."""
        written = self.directory / "target" / "partial_parse.msgpack"
        if cached.exists():
            written.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, written)
        return written.stat().st_mtime_ns if written.exists() else None

    def _keep_parse(self, cached: Path, before: int | None) -> None:
        """Keep the partial-parse file the command wrote, if it wrote one (a failed parse
        writes none, and the file left from an earlier command may be another key's)."""
        written = self.directory / "target" / "partial_parse.msgpack"
        if written.exists() and written.stat().st_mtime_ns != before:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(written, partial)
            os.replace(partial, cached)

    def start_dbt(self, *args: str, vars: Mapping[str, Any] | None = None) -> subprocess.Popen[str]:
        """dbt in a process of its own, not waited for (DuckDB, PostgreSQL): its output
        line by line on .stdout, so a test can stop it part-way."""
        assert self.engine != "spark", "Spark runs dbt in the test process"
        env = self._dbt_env()
        self._reuse_parse(self._parse_cache(env, vars))
        return subprocess.Popen(self._dbt_command(args, vars), cwd=self.directory, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def dbt(self, *args: str, vars: Mapping[str, Any] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = self._dbt_command(args, vars)
        env = self._dbt_env()
        cached = self._parse_cache(env, vars)
        before = self._reuse_parse(cached)
        if self.engine == "spark":
            assert self.spark is not None
            result = self.spark.run(command[1:], env)
        else:
            result = subprocess.run(command, cwd=self.directory, env=env, capture_output=True, text=True)
        self._keep_parse(cached, before)
        if check and result.returncode != 0:
            raise DbtFailed(f"{' '.join(args)} failed on {self.engine}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
        return result

    def build_on_raw(self, vars: Mapping[str, Any] | None = None, *extra: str) -> subprocess.CompletedProcess[str]:
        """dbt build over the raw schema loaded by load_raw (unit tests run elsewhere)."""
        all_vars = {"rudderstack_schema": self.raw_schema, **(vars or {})}
        return self.dbt("build", "--exclude-resource-type", "unit_test", *extra, vars=all_vars)

    def execute(self, sql: str) -> None:
        """Run a statement in this workspace's database; `{raw}` is the raw schema."""
        sql = sql.replace("{raw}", self.raw_schema)
        if self.engine == "spark":
            assert self.spark is not None
            self.spark.execute(sql.replace('"', "`"))
            return
        if self.engine == "duckdb":
            import duckdb

            with duckdb.connect(str(self.duckdb_path)) as connection:
                connection.execute(sql)
            return
        import psycopg2

        assert self.postgres is not None
        connection = psycopg2.connect(**self.postgres.connect_kwargs())
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    # -- reading -------------------------------------------------------------------------
    @property
    def internal_schema(self) -> str:
        """Where staging, the intermediate chain, the state and seed channel_groups are built
        (dbt_project.yml: the target schema holds the marts only)."""
        return f"{self.target_schema}_rudderstack_internal"

    @staticmethod
    def relation(model: str) -> str:
        """`{schema}.<model>` for a mart, `{internal}.<model>` for every other model."""
        return f"{{schema}}.{model}" if model.startswith(("fct_", "dim_", "rpt_")) else f"{{internal}}.{model}"

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows as dicts; `{schema}` in sql is the target schema, `{internal}` the internal
        one (Workspace.internal_schema). Times come back naive UTC."""
        sql = sql.replace("{internal}", self.internal_schema).replace("{schema}", self.target_schema)
        if self.engine == "spark":
            assert self.spark is not None
            return self.spark.query(sql)
        if self.engine == "duckdb":
            import duckdb

            with duckdb.connect(str(self.duckdb_path), read_only=True) as connection:
                cursor = connection.execute(sql)
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
        import psycopg2

        assert self.postgres is not None
        connection = psycopg2.connect(**self.postgres.connect_kwargs())
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            connection.close()


    def built_columns(self) -> dict[str, list[str]]:
        """The columns of every table and view the project built (target and internal schema), by name."""
        if self.engine == "spark":
            assert self.spark is not None
            return {**self.spark.columns(self.target_schema), **self.spark.columns(self.internal_schema)}
        columns: dict[str, list[str]] = {}
        for row in self.query(
            "select table_name, column_name from information_schema.columns"
            " where table_schema in ('{schema}', '{internal}')"
        ):
            columns.setdefault(row["table_name"], []).append(row["column_name"])
        return columns


def normalise(value: Any) -> Any:
    """Make engine values comparable: Decimal scale, float/Decimal, tz-naive datetimes."""
    if isinstance(value, Decimal):
        return value.normalize() + 0
    if isinstance(value, float):
        return Decimal(str(value)).normalize() + 0
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value
