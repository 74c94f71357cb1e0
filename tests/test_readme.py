"""The README's dbt commands, as a user pastes them into bash: each reaches dbt with the
arguments it means (quoting that survives the shell, vars this project reads), and dbt
accepts its selection and vars."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from tests.harness import DBT, PROJECT_DIR

# bash runs each block whole, with `dbt` (and .venv/bin/dbt) replaced by a function printing
# its arguments as one JSON list per call, and the other commands by functions doing nothing.
SHIM = r'''
dbt() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"; }
python() { :; }; pip() { :; }; sudo() { :; }; make() { :; }
'''
RUNS = {"build", "run", "test", "seed", "ls", "compile", "run-operation", "source", "deps", "docs"}
KNOWN_VARS = set(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]) | {
    "rudderstack_on_config_change"}


def readme_dbt_calls() -> list[list[str]]:
    """The argument lists of every dbt call in the README's sh blocks (other commands are
    left out: make, pip, apt, the generator)."""
    text = (PROJECT_DIR / "README.md").read_text()
    calls = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        script = block.replace(".venv/bin/", "")
        printed = subprocess.run(["bash", "-c", SHIM + script], capture_output=True, text=True, check=True).stdout
        calls += [json.loads(line) for line in printed.splitlines() if line.startswith("[")]
    return calls


CALLS = readme_dbt_calls()


def test_the_readme_has_dbt_commands() -> None:
    assert len(CALLS) >= 10, CALLS


@pytest.mark.parametrize("args", CALLS, ids=[" ".join(c)[:60] for c in CALLS])
def test_a_readme_dbt_command_means_what_it_says(args: list[str], tmp_path) -> None:
    assert args[0] in RUNS, args
    if "--vars" in args:
        given = yaml.safe_load(args[args.index("--vars") + 1])
        assert isinstance(given, dict), f"--vars reached dbt as {given!r}"
        assert set(given) <= KNOWN_VARS, f"vars this project does not read: {set(given) - KNOWN_VARS}"
    if args[0] in ("run-operation", "source", "deps", "docs"):
        return
    # dbt itself parses the project with the same vars and resolves the same selection.
    keep = []
    for flag in ("--vars", "--select", "--exclude", "--selector"):
        if flag in args:
            keep += [flag, args[args.index(flag) + 1]]
    result = subprocess.run(
        [DBT, "ls", "--project-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--profiles-dir", str(PROJECT_DIR / "profiles"), *keep],
        capture_output=True, text=True, env={"DBT_DUCKDB_PATH": str(tmp_path / "ls.duckdb"),
                                            "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_example_workflow_installs_the_pinned_dbt_and_runs_real_commands() -> None:
    """examples/github-actions/rudderstack_sessions.yml, the workflow the README offers to copy."""
    workflow = yaml.safe_load((PROJECT_DIR / "examples" / "github-actions" / "rudderstack_sessions.yml").read_text())
    steps = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    pinned = re.search(r"dbt-core==(\d+\.\d+)\.", (PROJECT_DIR / "requirements" / "base.txt").read_text()).group(1)
    assert any(f'"dbt-core~={pinned}.0"' in step for step in steps), steps
    dbt_steps = [step.split() for step in steps if step.startswith("dbt ")]
    assert [args[1] for args in dbt_steps] == ["deps", "source", "build"], dbt_steps
    assert all(args[1] in RUNS for args in dbt_steps)
