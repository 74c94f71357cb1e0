"""`make report` (tools/report.py): the page drawn from the demo's marts, opened in headless
Chromium (Debian's `chromium`): every chart drawn with data, no script error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import PROJECT_DIR


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.mark.engines("duckdb")
def test_the_report_draws_every_chart_with_data(engine: str, workspace, tmp_path: Path) -> None:
    browser = chromium()
    workspace.dbt("build", "--exclude-resource-type", "unit_test")  # the demo, as `make demo` builds it
    page = tmp_path / "report.html"
    subprocess.run([sys.executable, "-m", "tools.report", "--out", str(page), "--",
                    "--target-path", str(workspace.directory / "target"), "--log-path", str(workspace.directory / "logs")],
                   cwd=PROJECT_DIR, env=workspace.env(), check=True, capture_output=True, text=True)

    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                             "--v=0", "--dump-dom", page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    dom = result.stdout
    assert 'data-rendered="true"' in dom, "the page's script did not finish:\n" + result.stderr[-3000:]
    assert re.search(r'<pre id="errors"></pre>', dom), re.search(r'<pre id="errors">.*?</pre>', dom, re.S)
    assert "Uncaught" not in result.stderr, result.stderr[-3000:]
    figures = re.findall(r'<figure class="chart" id="([^"]+)"[^>]*data-marks="(\d+)"', dom)
    drawn = dict(figures)
    expected = {"sessions-per-day", "sessions-by-source", "session-durations", "funnel-checkout",
                "funnel-purchase_within_a_week", "conversions-by-channel", "value-by-channel-EUR",
                "value-by-channel-USD", "gaps-web", "gaps-mobile", "gaps-server"}
    assert expected <= drawn.keys(), f"charts missing: {expected - drawn.keys()}"
    assert len(drawn) == dom.count('<figure class="chart"'), "a chart was not drawn"
    assert {chart: int(marks) for chart, marks in drawn.items() if int(marks) == 0} == {}, "a chart without data"
    # The advisor's histograms mark the configured and the suggested timeout.
    markers = dict(re.findall(r'<figure class="chart" id="(gaps-[^"]+)"[^>]*data-markers="(\d+)"', dom))
    assert markers and set(markers.values()) == {"2"}, markers
    assert dom.count('class="marker"') == 2 * len(markers)
