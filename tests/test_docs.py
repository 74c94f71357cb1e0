"""The docs site (`dbt docs generate`): every macro described, the overview page holding the
flow of models and every var, the exposures of the report and the semantic layer; and the
files tools/docs_site.py writes are current."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.harness import PROJECT_DIR
from tests.test_readme import KNOWN_VARS


def test_the_generated_docs_files_are_current() -> None:
    result = subprocess.run([sys.executable, "-m", "tools.docs_site", "--check"], cwd=PROJECT_DIR,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.engines("duckdb")
def test_the_docs_site_describes_every_macro_var_and_exposure(engine: str, workspace) -> None:
    workspace.dbt("docs", "generate", "--empty-catalog")
    manifest = json.loads((workspace.directory / "target" / "manifest.json").read_text())
    macros = [m for m in manifest["macros"].values() if m["package_name"] == "rudderstack_sessions"]
    assert len(macros) > 100
    assert [m["name"] for m in macros if not m["description"].strip()] == []

    overview = manifest["docs"]["doc.rudderstack_sessions.__overview__"]["block_contents"]
    described = {line.split("`")[1] for line in overview.splitlines() if line.startswith("| `")}
    assert KNOWN_VARS - described == set(), "vars the docs site does not describe"
    assert "fct_sessions -> dim_users" in overview  # the flow of models

    exposures = {e["name"]: e["depends_on"]["nodes"] for e in manifest["exposures"].values()}
    assert set(exposures) == {"report", "semantic_layer"}
    # Each exposure lists every mart it reads: the report's queries, the semantic models'.
    report_refs = re.findall(r"ref\('(\w+)'\)", (PROJECT_DIR / "macros/report/report_data.sql").read_text())
    semantic = yaml.safe_load((PROJECT_DIR / "models/semantic/_semantic_models.yml").read_text())
    semantic_refs = [m["model"].split("'")[1] for m in semantic["semantic_models"]] + [
        m["name"] for m in semantic["models"] if "time_spine" in m]
    for exposure, refs in (("report", report_refs), ("semantic_layer", semantic_refs)):
        assert refs and {f"model.rudderstack_sessions.{r}" for r in refs} == set(exposures[exposure]), exposure


def test_unit_test_names_fit_postgres_identifiers() -> None:
    """dbt names a unit test's temporary relation after it: PostgreSQL cuts at 63 bytes and
    dbt refuses longer names, so a long name fails only on PostgreSQL."""
    names = [test["name"] for path in (PROJECT_DIR / "models").rglob("*unit_tests.yml")
             for test in yaml.safe_load(path.read_text())["unit_tests"]]
    assert len(names) > 20
    assert [name for name in names if len(name.encode()) > 63] == []
