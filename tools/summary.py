"""Print what a DuckDB build of the project holds: events, sessions, channels, funnels.

    python -m tools.summary [--database PATH] [--schema NAME]

`make demo` runs it after building the demo. The database defaults to DBT_DUCKDB_PATH
(the profile's default: rudderstack_sessions.duckdb).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb


def summary(database: Path, schema: str) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:

        def one(sql: str) -> tuple:
            # The marts are in the target schema, the state beside it (dbt_project.yml).
            row = connection.execute(sql.format(schema=schema, internal=f"{schema}_rudderstack_internal")).fetchone()
            assert row is not None
            return row

        events, duplicates, actors = one(
            "select count(*), coalesce(sum(duplicate_row_count), 0), count(distinct actor_id) from {schema}.fct_events"
        )
        (rejected,) = one("select count(*) from {internal}.state_rejected_rows")
        rows = connection.execute(
            """
            select session_source, cohort, count(*), sum(event_count),
                   round(median(duration_seconds) / 60, 1),
                   sum(case when has_session_start_flag = false then 1 else 0 end)
            from {schema}.fct_sessions
            group by session_source, cohort
            order by session_source desc, cohort
            """.format(schema=schema)
        ).fetchall()
        channels = connection.execute(
            """
            select channel_group, count(*), round(avg(case when is_bounce then 100.0 else 0 end), 1),
                   count(distinct stitched_user_id)
            from {schema}.fct_sessions
            group by channel_group
            order by count(*) desc, channel_group
            """.format(schema=schema)
        ).fetchall()
        funnel_steps = connection.execute(
            """
            select funnel_name, step_index, step_name, entities, conversion_from_first_step
            from {schema}.fct_funnel_conversion
            where split_by = 'all'
            order by funnel_name, step_index
            """.format(schema=schema)
        ).fetchall()
    lines = [
        f"events      {events:>7,}  from {actors:,} actors"
        f" (+ {duplicates:,} duplicate rows discarded, {rejected:,} rows rejected)",
        f"sessions    {sum(r[2] for r in rows):>7,}",
        "",
        "  Sessions by origin (sdk: the SDK's session id; derived: cut by the gap rule) and cohort;",
        "  median length in minutes; SDK sessions whose events carry no start flag.",
        f"  {'source':<8} {'cohort':<10} {'sessions':>8} {'events':>7} {'median min':>10} {'no start flag':>13}",
    ]
    for source, cohort, sessions, session_events, median_minutes, unflagged in rows:
        flag = "-" if source == "derived" else f"{unflagged:,}"
        lines.append(
            f"  {source:<8} {cohort:<10} {sessions:>8,} {session_events:>7,} {median_minutes:>10} {flag:>13}"
        )
    lines += ["", "  Sessions by channel group (seed channel_groups); % that bounced (a single page or screen",
              "  view); distinct users (stitched user ids, else anonymous ids).",
              f"  {'channel group':<16} {'sessions':>8} {'bounce %':>8} {'users':>6}"]
    for group, sessions, bounce_rate, users in channels:
        lines.append(f"  {group:<16} {sessions:>8,} {bounce_rate:>8} {users:>6,}")
    funnel = None
    if funnel_steps:
        lines += ["", "  Funnels (var rudderstack_funnels): sessions or users reaching each step, in order,",
                  "  and their share of step 1."]
    for name, step_index, step_name, entities, from_first in funnel_steps:
        if name != funnel:
            funnel = name
            lines += ["", f"  funnel {name}"]
        lines.append(f"    {step_index}. {step_name:<24} {entities:>7,}  {float(from_first or 0):>6.1%}")
    lines += [
        "",
        f"The marts are tables and views of {database}, schema {schema}: fct_sessions, fct_events,",
        "dim_users, fct_funnel_conversion, ... (README, \"What it builds\"). Next: run the README's",
        "\"Example queries\", point the project at your RudderStack schema (\"Point it at your",
        "RudderStack data\"), or generate more data and add a day (\"Trying it on generated data\").",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.summary", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path,
                        default=Path(os.environ.get("DBT_DUCKDB_PATH", "rudderstack_sessions.duckdb")),
                        help="DuckDB file (default: $DBT_DUCKDB_PATH or rudderstack_sessions.duckdb)")
    parser.add_argument("--schema", default=os.environ.get("DBT_DUCKDB_SCHEMA", "main"),
                        help="schema the models were built in (default: main)")
    args = parser.parse_args(argv)
    print(summary(args.database, args.schema))


if __name__ == "__main__":
    main()
