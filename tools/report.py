"""`make report`: one static HTML page drawn from the marts of the current dbt target.

    python -m tools.report [--out target/report.html] [--target duckdb]

The numbers come from `dbt run-operation rudderstack_report_data`
(macros/report/report_data.sql), which reads the marts of the target with the target's
own connection, so the page works on every engine the project builds on. The page needs
no network: its data is in the page as JSON, and a small script draws each chart as SVG.
A chart whose data is empty says so; a script error is written into the page
(`#errors`), which tests/test_report.py checks in headless Chromium.
Charts: sessions per day by channel group, sessions by source, session durations, each
funnel's drop-off, conversions by channel and their value per currency, and per cohort
the gaps between an actor's events (the timeout advisor) with the configured and the
suggested timeouts marked.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).with_name("dbt"))
MARKER = "RUDDERSTACK_REPORT "
DURATION_BUCKETS = ["< 10 s", "10-30 s", "30-60 s", "1-2 min", "2-5 min", "5-10 min", "10-30 min",
                    "30-60 min", "1-2 h", "> 2 h"]


def report_data(target: str | None, project_dir: Path, extra_args: list[str]) -> dict[str, Any]:
    """Every chart's rows, as the marts of the target hold them."""
    command = [DBT, "run-operation", "rudderstack_report_data", "--project-dir", str(project_dir), *extra_args]
    if target:
        command += ["--target", target]
    env = {"DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"), **os.environ}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    if result.returncode != 0 or not lines:
        raise SystemExit(
            "dbt run-operation rudderstack_report_data failed: the report reads the marts, so build them"
            " first (make demo, or dbt build on your target), then run make report again.\n"
            + result.stdout[-3000:] + result.stderr[-2000:])
    return json.loads(lines[-1][len(MARKER):])


def _records(chart: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(zip(chart["columns"], row)) for row in chart["rows"]]


def _number(text: str | None) -> float:
    return 0.0 if text is None else float(text)


def charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The charts of the page, each {id, title, note, kind, ...} for the page's script."""
    per_day = _records(data["sessions_per_day"])
    days = sorted({r["session_date"] for r in per_day})
    groups = sorted({r["channel_group"] or "(none)" for r in per_day})
    counts = {(r["session_date"], r["channel_group"] or "(none)"): _number(r["sessions"]) for r in per_day}
    by_source: dict[str, float] = {}
    for r in _records(data["sessions_by_source"]):
        by_source[r["source"]] = by_source.get(r["source"], 0) + _number(r["sessions"])
    top_sources = sorted(by_source.items(), key=lambda item: (-item[1], item[0]))[:12]
    durations = {int(r["bucket"]): _number(r["sessions"]) for r in _records(data["session_durations"])}
    result: list[dict[str, Any]] = [
        {"id": "sessions-per-day", "title": "Sessions per day by channel group", "kind": "stacked",
         "note": "fct_sessions, by the UTC day of session_started_at",
         "labels": days, "series": [{"name": g, "values": [counts.get((d, g), 0) for d in days]} for g in groups]},
        {"id": "sessions-by-source", "title": "Sessions by source (utm_source, top 12)", "kind": "bars",
         "note": "fct_sessions.utm_source of each session's first touch",
         "labels": [s for s, _ in top_sources], "values": [n for _, n in top_sources]},
        {"id": "session-durations", "title": "Session duration", "kind": "bars",
         "note": "fct_sessions.duration_seconds, sessions per bucket",
         "labels": DURATION_BUCKETS, "values": [durations.get(i, 0) for i in range(len(DURATION_BUCKETS))]},
    ]
    funnels: dict[str, list[dict[str, Any]]] = {}
    for r in _records(data["funnels"]):
        funnels.setdefault(r["funnel_name"], []).append(r)
    for name, steps in sorted(funnels.items()):
        result.append({
            "id": f"funnel-{name}", "title": f"Funnel: {name}", "kind": "bars",
            "note": "fct_funnel_conversion (split_by 'all'): entities per step, % of step 1",
            "labels": [f"{s['step_index']}. {s['step_name']}" for s in steps],
            "values": [_number(s["entities"]) for s in steps],
            "annotations": [f"{100 * _number(s['conversion_from_first_step']):.1f}%" for s in steps],
        })
    # Conversions by the channel credited last-non-direct; their value per currency, never
    # added across currencies (README, "Conversions and their value").
    conversions = _records(data["conversions_by_channel"])
    channels = sorted({r["channel_group"] or "(none)" for r in conversions})
    count_by_channel = {c: sum(_number(r["conversions"]) for r in conversions if (r["channel_group"] or "(none)") == c)
                        for c in channels}
    result.append({
        "id": "conversions-by-channel", "title": "Conversions by channel (last non-direct)", "kind": "bars",
        "note": "fct_conversions by last_non_direct_channel_group (var rudderstack_conversions)",
        "labels": channels, "values": [count_by_channel[c] for c in channels],
    })
    for currency in sorted({r["currency"] or "" for r in conversions if r["value"] is not None}):
        rows = [r for r in conversions if (r["currency"] or "") == currency and r["value"] is not None]
        value_by_channel = {c: sum(_number(r["value"]) for r in rows if (r["channel_group"] or "(none)") == c)
                            for c in channels}
        result.append({
            "id": f"value-by-channel-{currency or 'none'}",
            "title": f"Conversion value by channel (last non-direct), {currency or 'no currency'}", "kind": "bars",
            "note": "fct_conversions.value summed by last_non_direct_channel_group, in one currency",
            "labels": channels, "values": [value_by_channel[c] for c in channels],
            "annotations": [f"{value_by_channel[c]:,.2f}" for c in channels],
        })
    histograms: dict[str, list[dict[str, Any]]] = {}
    for r in _records(data["gap_histogram"]):
        histograms.setdefault(r["cohort"], []).append(r)
    for cohort, buckets in sorted(histograms.items()):
        buckets.sort(key=lambda b: int(b["bucket_number"]))
        markers = []
        for kind, column in (("configured", "configured_timeout_minutes"), ("suggested", "suggested_timeout_minutes")):
            minutes = _number(buckets[0][column])
            # Every timeout is a bucket's upper edge (rpt_session_gap_histogram): mark that edge.
            edge = next(i for i, b in enumerate(buckets) if b["gap_up_to_minutes"] is not None
                        and _number(b["gap_up_to_minutes"]) == minutes)
            markers.append({"index": edge, "label": f"{kind} {minutes:g} min"})
        result.append({
            "id": f"gaps-{cohort}", "title": f"Gaps between an actor's events: cohort {cohort}", "kind": "bars",
            "note": "rpt_session_gap_histogram: pairs of consecutive events per gap bucket (minutes); "
                    "the lines mark the configured and the suggested timeout (rpt_session_timeouts)",
            "labels": [f"<= {_number(b['gap_up_to_minutes']):g}" if b["gap_up_to_minutes"] is not None
                       else f"> {_number(b['gap_above_minutes']):g}" for b in buckets],
            "values": [_number(b["gap_count"]) for b in buckets],
            "markers": markers,
        })
    return result


SCRIPT = r"""
const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
                '#9c755f', '#bab0ac'];
function el(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}
function text(parent, x, y, content, attrs) {
  const node = el('text', Object.assign({x: x, y: y}, attrs || {}), parent);
  node.textContent = content;
  return node;
}
function draw(chart, figure) {
  const width = 760, height = 320, left = 150, right = 20, top = 20, bottom = 100;
  const svg = el('svg', {viewBox: `0 0 ${width} ${height}`, width: width, height: height, role: 'img'}, figure);
  const series = chart.kind === 'stacked' ? chart.series : [{name: chart.title, values: chart.values}];
  const totals = chart.labels.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0));
  const max = Math.max(0, ...totals);
  let marks = 0;
  if (chart.labels.length === 0 || max === 0) {
    text(svg, width / 2, height / 2, 'no data', {'text-anchor': 'middle', class: 'empty'});
    figure.dataset.marks = 0;
    return;
  }
  const plotW = width - left - right, plotH = height - top - bottom;
  const slot = plotW / chart.labels.length, barW = Math.max(1, slot * 0.8);
  el('line', {x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: '#333'}, svg);
  text(svg, left - 8, top + 4, max.toLocaleString(), {'text-anchor': 'end', class: 'axis'});
  text(svg, left - 8, top + plotH, '0', {'text-anchor': 'end', class: 'axis'});
  chart.labels.forEach((label, i) => {
    let base = top + plotH;
    series.forEach((s, k) => {
      const h = plotH * s.values[i] / max;
      if (h > 0) {
        const bar = el('rect', {x: left + i * slot + (slot - barW) / 2, y: base - h, width: barW, height: h,
                                fill: COLORS[k % COLORS.length], class: 'mark'}, svg);
        el('title', {}, bar).textContent = `${label} · ${s.name}: ${s.values[i].toLocaleString()}`;
        base -= h;
        marks += 1;
      }
    });
    if (chart.annotations) {
      text(svg, left + i * slot + slot / 2, base - 4, chart.annotations[i], {'text-anchor': 'middle', class: 'axis'});
    }
    const every = Math.ceil(chart.labels.length / 15);
    if (i % every === 0) {
      text(svg, left + i * slot + slot / 2, top + plotH + 14, label,
           {'text-anchor': 'end', class: 'axis', transform: `rotate(-30 ${left + i * slot + slot / 2} ${top + plotH + 14})`});
    }
  });
  (chart.markers || []).forEach((marker, k) => {
    const x = left + (marker.index + 1) * slot;
    el('line', {x1: x, y1: top, x2: x, y2: top + plotH, stroke: k === 0 ? '#333' : '#e15759',
                'stroke-dasharray': k === 0 ? '4 3' : '', class: 'marker'}, svg);
    text(svg, x + 3, top + 12 + 14 * k, marker.label, {class: 'axis'});
  });
  figure.dataset.markers = (chart.markers || []).length;
  if (chart.kind === 'stacked') {
    const legend = document.createElement('p');
    legend.className = 'legend';
    series.forEach((s, k) => {
      const item = document.createElement('span');
      item.innerHTML = `<i style="background:${COLORS[k % COLORS.length]}"></i>`;
      item.appendChild(document.createTextNode(s.name));
      legend.appendChild(item);
    });
    figure.appendChild(legend);
  }
  figure.dataset.marks = marks;
}
window.addEventListener('error', (event) => {
  document.getElementById('errors').textContent += `${event.message}\n`;
});
for (const chart of JSON.parse(document.getElementById('data').textContent)) {
  const figure = document.getElementById(chart.id);
  try {
    draw(chart, figure);
  } catch (error) {
    document.getElementById('errors').textContent += `${chart.id}: ${error}\n`;
  }
}
document.body.dataset.rendered = 'true';
"""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 820px; color: #222; }
figure { margin: 2em 0; } figcaption { font-weight: 600; } .note { color: #666; font-size: 0.85em; }
.axis { font-size: 11px; fill: #444; } .empty { fill: #999; font-size: 14px; }
.legend span { margin-right: 1em; font-size: 0.85em; } .legend i { display: inline-block; width: 10px;
height: 10px; margin-right: 4px; } #errors { color: #b00; }
"""


def render(chart_list: list[dict[str, Any]], title: str) -> str:
    figures = "\n".join(
        f'<figure class="chart" id="{html.escape(c["id"])}"><figcaption>{html.escape(c["title"])}</figcaption>'
        f'<div class="note">{html.escape(c["note"])}</div></figure>' for c in chart_list)
    # JSON inside <script>: '</' would end the element.
    payload = json.dumps(chart_list).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1>
<p class="note">Drawn by <code>make report</code> from the marts of the dbt target; no network needed.</p>
{figures}
<pre id="errors"></pre>
<script type="application/json" id="data">{payload}</script>
<script>{SCRIPT}</script>
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(PROJECT_DIR / "target" / "report.html"))
    parser.add_argument("--target", default=None, help="the dbt target (default: the profile's)")
    parser.add_argument("--project-dir", default=str(PROJECT_DIR))
    parser.add_argument("dbt_args", nargs="*", help="more dbt arguments, after --")
    args = parser.parse_args(argv)
    chart_list = charts(report_data(args.target, Path(args.project_dir), args.dbt_args))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(chart_list, "RudderStack sessions"))
    print(f"wrote {out}: {len(chart_list)} charts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
