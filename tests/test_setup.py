"""The install sets (requirements/; README, the paragraphs after `make demo` and `make
test`): the DuckDB and PostgreSQL sets install wheels only (nothing built from source;
pyspark, in the Spark set, is), every one pinned by constraints.txt, and the DuckDB set
nothing a DuckDB build does not need. Asks the package index (pip's resolver, --dry-run,
so it needs the index, as `make setup` does): nothing is installed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import PROJECT_DIR

ONLY_FOR_OTHER_NEEDS = {"pyspark", "dbt-spark", "dbt-postgres", "psycopg2-binary", "sqlfluff",
                        "sqlfluff-templater-dbt", "hypothesis", "pytest", "pytest-xdist", "dbt-coverage"}


def resolved(requirements: str, tmp_path: Path, wheels_only: bool = True) -> dict[str, str]:
    """What pip would install for a set on a clean machine (wheels only, unless told
    otherwise): name -> version, and 'sdist' for a package it would build from source."""
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
                    *(["--only-binary", ":all:"] if wheels_only else ["--prefer-binary"]),
                    "--report", str(report), "-r", f"requirements/{requirements}.txt",
                    "-c", "constraints.txt"], cwd=PROJECT_DIR, check=True)
    return {normalized(item["metadata"]["name"]):
            item["metadata"]["version"] if item["download_info"]["url"].endswith(".whl") else "sdist"
            for item in json.loads(report.read_text())["install"]}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    pinned = {}
    for line in (PROJECT_DIR / "constraints.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?==(\S+)", line.strip())
        if match:
            pinned[normalized(match[1])] = match[3]
    return pinned


@pytest.mark.parametrize("requirements", ["duckdb", "postgres"])
def test_an_engine_set_installs_pinned_wheels_only(requirements: str, tmp_path: Path) -> None:
    installs = resolved(requirements, tmp_path)
    assert {"dbt-core", f"dbt-{requirements}"} <= installs.keys()
    pinned = pins()
    assert {name: version for name, version in installs.items() if pinned.get(name) != version} == {}
    if requirements == "duckdb":
        assert installs.keys() & ONLY_FOR_OTHER_NEEDS == set()


def test_the_demo_set_adds_metricflow_pinned_with_one_pure_python_source_archive(tmp_path: Path) -> None:
    """`make demo` installs requirements/metricflow.txt: the DuckDB set and `mf`, every
    package pinned, built from source only halo (no wheel published; pure Python)."""
    installs = resolved("metricflow", tmp_path, wheels_only=False)
    assert {"dbt-core", "dbt-duckdb", "dbt-metricflow"} <= installs.keys()
    assert {name for name, version in installs.items() if version == "sdist"} == {"halo"}
    pinned = pins()
    assert {name: version for name, version in installs.items()
            if version != "sdist" and pinned.get(name) != version} == {}
    assert installs.keys() & ONLY_FOR_OTHER_NEEDS == set()
