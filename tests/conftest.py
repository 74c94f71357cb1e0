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


# Tests without an engine parameter that build on every engine, Spark included.
BUILDS_ON_EVERY_ENGINE = {"test_same_session_ids_on_every_engine"}
# Modules whose tests share one build per engine (the demo, the generated analyst data).
SHARED_BUILDS = {"test_demo", "test_analyst_marts"}

# How `make test` shares the tests between its two processes: pytest-xdist with
# `--dist loadgroup --no-loadscope-reorder`, a group's tests in one process, groups and
# tests in the order below.
#
# Groups: every Spark case (and the test that compares the demo of every engine, which
# reuses that process's Spark demo) in one process, so one Spark JVM starts, not two; and
# each engine's tests of a module that builds once per engine (SHARED_BUILDS), so that
# build is made once. Order: longest first, so that neither process is left alone with a
# long test at the end: Spark's cases (most of a minute to minutes each), then the other
# tests that build with dbt, then the tests of files and tools (seconds); a stable sort,
# so within each part pytest's order (grouped by engine). Under plain `-n 2` (--dist load)
# there are no groups and only the order applies.
#
# The groups are read from test ids (engine, module, name) by the scheduler below, not from
# xdist_group marks: xdist 3.8 appends a mark's group to Item._nodeid, which pytest 9.2
# no longer reads, so the marks group nothing.
_ENGINE_ID = re.compile(r"\[(duckdb|postgres|spark)[-\]]")


def _group(nodeid: str) -> str | None:
    """The group of a test id (None: a group of its own)."""
    path, _, name = nodeid.partition("::")
    engine = _ENGINE_ID.search(name)
    if (engine and engine.group(1) == "spark") or name.split("[")[0] in BUILDS_ON_EVERY_ENGINE:
        return "spark"
    module = path.rsplit("/", 1)[-1].removesuffix(".py")
    if engine and module in SHARED_BUILDS:
        return f"{module}_{engine.group(1)}"
    return None


def _part(item: pytest.Item) -> int:
    callspec = getattr(item, "callspec", None)
    engine = callspec.params.get("engine") if callspec is not None else None
    if _group(item.nodeid) == "spark" or "spark" in getattr(item, "fixturenames", ()):
        return 0
    if engine is not None or set(getattr(item, "fixturenames", ())) & {"workspace", "workspace_factory", "postgres"}:
        return 1
    return 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_part)


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: a hook of pytest-xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid) or nodeid

    return GroupScheduling(config, log)


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
