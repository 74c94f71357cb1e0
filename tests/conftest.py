"""Fixtures: one workspace per test and engine; a throwaway PostgreSQL and one local Spark
per session.

Engines: `pytest --engines duckdb,postgres,spark` (default: all three). When PostgreSQL
or Spark cannot be started their cases are skipped with the reason, except under
CI=true, where they fail: CI never passes without every engine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Iterator

import psycopg2
import pytest

from tests.harness import Workspace
from tests.pg_server import PostgresServer, PostgresUnavailable, postgres_server
from tests.spark_session import SparkDbt, SparkUnavailable

ALL_ENGINES = ("duckdb", "postgres", "spark")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engines",
        default=",".join(ALL_ENGINES),
        help="comma-separated engines to test (default: duckdb,postgres,spark)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "engines(*names): the engines a test runs on, when not all: tests of SQL every engine"
        " already runs elsewhere (see README, Development), kept off Spark for time",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        engines = [e for e in metafunc.config.getoption("engines").split(",") if e]
        unknown = set(engines) - set(ALL_ENGINES)
        if unknown:
            raise pytest.UsageError(f"unknown engines {sorted(unknown)}; choose from {ALL_ENGINES}")
        if os.environ.get("CI") == "true" and set(engines) != set(ALL_ENGINES):
            raise pytest.UsageError("CI=true runs every engine: drop --engines")
        marker = metafunc.definition.get_closest_marker("engines")
        if marker is not None:
            engines = [e for e in engines if e in marker.args]
        metafunc.parametrize("engine", engines, scope="session")


def examples(engine: str, default: int) -> int:
    """Hypothesis examples per test on `engine`: every example is one or more dbt runs,
    which take a few seconds on DuckDB and PostgreSQL and most of a minute on local
    Spark, so Spark draws HYPOTHESIS_SPARK_EXAMPLES (default 1)."""
    return int(os.environ.get("HYPOTHESIS_SPARK_EXAMPLES", "1")) if engine == "spark" else default


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A database of our own on the server, dropped afterwards.

    Deliberately not C-collated and not in UTC, like most production databases: the
    project must give the same sessions whatever the collation and session time zone.
    """
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(postgres_server())
        except PostgresUnavailable as error:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required under CI=true: {error}")
            pytest.skip(f"PostgreSQL unavailable: {error}")
        database = f"rudderstack_sessions_test_{os.getpid()}"
        _admin(server, f'create database "{database}" template template0 encoding \'UTF8\''
                       " locale_provider icu icu_locale 'en-US' locale 'C'")
        _admin(server, f'alter database "{database}" set timezone to \'America/New_York\'')
        stack.callback(_admin, server, f'drop database if exists "{database}" with (force)')
        yield dataclasses.replace(server, database=database)


def _admin(server: PostgresServer, statement: str) -> None:
    connection = psycopg2.connect(**server.connect_kwargs())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> SparkDbt:
    """dbt on a local Spark in this process (its JVM lives until the tests end)."""
    try:
        return SparkDbt(tmp_path_factory.mktemp("spark"))
    except SparkUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Spark is required under CI=true: {error}")
        pytest.skip(f"Spark unavailable: {error}")


@pytest.fixture(scope="session")
def workspace_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """make(engine, label) -> a fresh Workspace with its own database objects."""
    counter = iter(range(10_000))

    def make(engine: str, label: str) -> Workspace:
        name = f"{re.sub(r'[^a-z0-9]+', '_', label.lower())[:30]}_{next(counter)}"
        server = request.getfixturevalue("postgres") if engine == "postgres" else None
        spark = request.getfixturevalue("spark") if engine == "spark" else None
        return Workspace(engine, tmp_path_factory.mktemp(f"{engine}_{name}"), name, server, spark)

    return make


@pytest.fixture
def workspace(engine: str, request: pytest.FixtureRequest, workspace_factory) -> Workspace:
    return workspace_factory(engine, request.node.originalname)
