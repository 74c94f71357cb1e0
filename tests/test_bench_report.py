"""The benchmark reports a scale that fails (docs/benchmark.md): which step, after how long,
what it cost until then, dbt's error, and the models that ran; the other scales still
run. No engine: these check tools/bench.py's own bookkeeping on stand-in commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tools import bench


def test_a_failing_command_reports_its_cost_and_output(tmp_path: Path) -> None:
    script = "import sys, time; time.sleep(0.3); print('IO Error: No space left on device'); sys.exit(3)"
    with pytest.raises(bench.CommandFailed) as raised:
        bench.run_measured([sys.executable, "-c", script], os.environ, tmp_path, lambda: 5 * 1024 * 1024)
    failure = raised.value
    assert failure.measure.seconds >= 0.3
    assert failure.measure.peak_mb > 0
    assert failure.measure.peak_tmp_mb == pytest.approx(5.0)
    assert bench.last_error_line(failure.output) == "IO Error: No space left on device"


def test_the_error_line_is_the_one_that_names_the_error() -> None:
    output = "\n".join([
        "13:21:45  Failure in model state_events (models/state/state_events.sql)",
        "13:21:45    Runtime Error in model state_events (models/state/state_events.sql)",
        '  IO Error: Could not write file "x.tmp": No space left on device',
        "13:21:45  ",
        "13:21:45  Done. PASS=14 WARN=0 ERROR=1 SKIP=7 NO-OP=0 TOTAL=22",
        "",
    ])
    assert bench.last_error_line(output) == 'IO Error: Could not write file "x.tmp": No space left on device'
    assert bench.last_error_line("no error here\nlast line\n") == "last line"


def _measure(seconds: float, models: dict[str, float]) -> bench.Measure:
    return bench.Measure(seconds, peak_mb=1000.0, peak_tmp_mb=0.0, sql_seconds=seconds - 1,
                         model_seconds=models)


def test_a_failed_scale_gets_a_row_and_misses_its_target() -> None:
    ten = bench.Row("duckdb", 10_000_000, 9_755_815, 60.0, _measure(90.0, {"state_events": 60.0}), None, 0, None,
                    True, _measure(20.0, {"state_events": 6.0}), 263_250, None)
    failed = bench.Failure("duckdb", 100_000_000, 97_717_173, "full build",
                           bench.Measure(1024.5, peak_mb=8300.0, peak_tmp_mb=68_000.0,
                                         model_seconds={"state_events": 890.5, "int_events_redelivered": 131.3}),
                           "IO Error: Could not write file `x`: No space | left on device")
    text = bench.markdown([ten, failed])
    [row] = [line for line in text.splitlines() if line.startswith("| duckdb | 97,717,173 ")]
    assert "**failed** in the full build after 1024.5 s" in row
    assert "No space \\| left on device" in row and "`x`" not in row
    assert row.count("|") - row.count("\\|") == 12  # the table's 11 columns
    assert row.endswith("| 8,300 MB (full build) | 68,000 MB (full build) |")
    assert "DuckDB full build, 100M events: failed (target 12x: **missed**)." in text
    assert "| `state_events` | 60.0 / 6.0 | 890.5 / 0.0 |" in text
    assert "| `int_events_redelivered` | 0.0 / 0.0 | 131.3 / 0.0 |" in text


def test_a_failure_after_the_full_build_keeps_the_full_build() -> None:
    ten = bench.Row("duckdb", 10_000_000, 9_755_815, 60.0, _measure(90.0, {"state_events": 60.0}), None, 0, None,
                    True, _measure(20.0, {"state_events": 6.0}), 263_250, None)
    full = bench.Measure(1360.0, peak_mb=8100.0, peak_tmp_mb=0.0, sql_seconds=1352.4,
                         model_seconds={"state_events": 690.8})
    failed = bench.Failure("duckdb", 100_000_000, 97_717_173, "incremental build",
                           bench.Measure(31.6, peak_mb=8495.0, peak_tmp_mb=866.0,
                                         model_seconds={"int_event_ids_received_earlier": 24.0}),
                           "Out of Memory Error: failed to pin block", full)
    text = bench.markdown([ten, failed])
    [row] = [line for line in text.splitlines() if line.startswith("| duckdb | 97,717,173 ")]
    assert row.startswith("| duckdb | 97,717,173 | 1360.0 s (1352.4 s) | - | - | **failed** in the incremental build after 31.6 s")
    assert row.count("|") - row.count("\\|") == 12  # the table's 11 columns
    assert row.endswith("| 8,100 MB (full) / 8,495 MB (incremental build) | 0 MB (full) / 866 MB (incremental build) |")
    # 1352.4 s against the 10M build's 89.0 s of execution.
    assert "DuckDB full build, 100M against 10M events (execution): 15.2x (target 12x: **missed**)." in text
    assert "| `state_events` | 60.0 / 6.0 | 690.8 / 0.0 |" in text


def test_a_failed_step_ends_its_scale_not_the_bench(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fails_in_the_full_build(engine_name, events, workdir, log, project_only, progress, reuse_data):  # noqa: ANN001, ANN202
        progress.update(step="full build", raw_rows=123)
        raise bench.CommandFailed("dbt run failed", bench.Measure(5.0, 10.0, 20.0), "Runtime Error\n  IO Error: full\n")

    monkeypatch.setattr(bench, "_bench_scale", fails_in_the_full_build)
    logged: list[str] = []
    result = bench.bench_scale("duckdb", 1000, tmp_path, logged.append)
    assert result == bench.Failure("duckdb", 1000, 123, "full build", bench.Measure(5.0, 10.0, 20.0), "IO Error: full")
    assert logged == ["  full build failed after 5.0s: IO Error: full"]

    out = tmp_path / "results.md"
    with pytest.raises(SystemExit) as exited:
        bench.main(["--scales", "duckdb:1000,duckdb:2000", "--workdir", str(tmp_path), "--out", str(out)])
    assert "failed: duckdb:1000 (full build), duckdb:2000 (full build)" in str(exited.value.code)
    assert out.read_text().count("**failed** in the full build") == 2


def test_reused_data_is_the_history_the_same_generator_wrote(tmp_path: Path) -> None:
    """--reuse-data (DuckDB) keeps the raw rows of an earlier run only when the generator's
    code and arguments match what was recorded with them, and restores the history that
    hold_back left, whether or not day 31 had arrived."""
    engine = bench.Engine("duckdb", tmp_path)
    arguments = ["--events", "3000", "--days", "3", "--start", "2026-01-01", "--seed", "7"]
    cut = bench.dt.datetime(2026, 1, 3, tzinfo=bench.dt.timezone.utc)
    fingerprint = bench.generator_fingerprint(arguments)
    assert engine.restore_history(fingerprint, cut) is None  # no database yet
    bench.run_measured([sys.executable, "-m", "tools.generate", *arguments, "--target", "duckdb", "--schema",
                        engine.raw, "--database", str(engine.database), "--quiet"],
                       engine.env(), bench.PROJECT_DIR)
    history = engine.hold_back(cut)
    assert engine.restore_history(fingerprint, cut) is None  # generated, but nothing recorded
    engine.record_generation(fingerprint)
    arrived = engine.arrive(cut)
    assert arrived > history > 0
    assert engine.restore_history(fingerprint, cut) == history
    assert engine.restore_history(fingerprint, cut) == history  # again: nothing had arrived
    assert engine.arrive(cut) == arrived
    assert engine.restore_history(bench.generator_fingerprint([*arguments[:-1], "8"]), cut) is None
    assert bench.generator_fingerprint(arguments) == fingerprint
