"""Spark for the tests: dbt runs in this process (dbt-spark's `session` method), so every
dbt command and every query share one local Spark (one JVM, started once per test
session) and its Derby metastore, which admits a single process at a time.

The JVM needs Java 17 (`java` on PATH or JAVA_HOME); pyspark comes from requirements/spark.txt.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


class SparkUnavailable(RuntimeError):
    """This machine cannot run a local Spark (no Java, or no pyspark)."""


def check_spark() -> None:
    """Raise SparkUnavailable with what is missing."""
    try:
        import pyspark  # noqa: F401
        import dbt.adapters.spark  # noqa: F401
    except ImportError as error:
        raise SparkUnavailable(f"pyspark / dbt-spark are not installed ({error}); run make setup") from error
    java = Path(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else shutil.which("java")
    if not java:
        raise SparkUnavailable("no Java: Spark needs OpenJDK 17 (apt-get install openjdk-17-jre-headless)")
    probe = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise SparkUnavailable(f"`java -version` failed: {probe.stderr.strip()}")


class SparkDbt:
    """dbt commands in this process, one at a time, against the shared local Spark."""

    def __init__(self, directory: Path) -> None:
        check_spark()
        self.directory = directory
        self._lock = threading.Lock()
        # Python renders Spark timestamps in the process's local time zone: make it UTC,
        # so rows read back are naive UTC like the other engines'.
        os.environ["TZ"] = "UTC"
        time.tzset()
        os.environ.update(self.env())

    def env(self) -> dict[str, str]:
        return {
            "DBT_SPARK_WAREHOUSE_DIR": str(self.directory / "warehouse"),
            "DBT_SPARK_METASTORE_DIR": str(self.directory),
            # Test data is small: a few shuffle partitions beat Spark's 200.
            "DBT_SPARK_SHUFFLE_PARTITIONS": "2",
        }

    def run(self, args: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
        """`dbt *args` with `env` in force; the result looks like a finished subprocess."""
        from dbt.cli.main import dbtRunner

        lines: list[str] = []

        def collect(event: Any) -> None:
            if event.info.level in ("info", "warn", "error") and event.info.msg:
                lines.append(str(event.info.msg))

        changed = {k: v for k, v in env.items() if os.environ.get(k) != v and k != "TZ"}
        with self._lock:
            saved = {k: os.environ.get(k) for k in changed}
            os.environ.update(changed)
            try:
                result = dbtRunner(callbacks=[collect]).invoke(list(args))
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
        stderr = "" if result.exception is None else f"{type(result.exception).__name__}: {result.exception}"
        return subprocess.CompletedProcess(["dbt", *args], 0 if result.success else 1, "\n".join(lines), stderr)

    @staticmethod
    def session():
        from pyspark.sql import SparkSession

        # The session dbt started (its builder holds the profile's settings).
        return SparkSession.builder.getOrCreate()

    def execute(self, sql: str) -> None:
        with self._lock:
            self.session().sql(sql).collect()

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows as dicts; times as naive UTC datetimes. Times go through text: pyspark
        converts a timestamp with the platform's fromtimestamp, which fails on year 1."""
        from pyspark.sql import functions
        from pyspark.sql.types import TimestampNTZType, TimestampType

        with self._lock:
            frame = self.session().sql(sql)
            times = {f.name for f in frame.schema.fields if isinstance(f.dataType, (TimestampType, TimestampNTZType))}
            frame = frame.select(*[
                functions.date_format(functions.col(f"`{name}`"), "yyyy-MM-dd HH:mm:ss.SSSSSS").alias(name)
                if name in times else functions.col(f"`{name}`") for name in frame.columns
            ])
            rows = frame.collect()
        return [{k: _time(v) if k in times else v for k, v in row.asDict().items()} for row in rows]

    def columns(self, schema: str) -> dict[str, list[str]]:
        """Spark has no information_schema: the catalog's tables and views of `schema`."""
        with self._lock:
            catalog = self.session().catalog
            return {
                table.name: [column.name for column in catalog.listColumns(f"{schema}.{table.name}")]
                for table in catalog.listTables(schema)
                if not table.isTemporary
            }


def _time(value: str | None) -> dt.datetime | None:
    # The session time zone is UTC (the project's pre-hook): the text is UTC.
    return None if value is None else dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f")
