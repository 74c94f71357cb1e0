"""A pure-Python reference for the analyst marts, written from the spec and the docs.

Input: the warehouse's events (fct_events, whose sessionization tests/reference.py
checks) and identify calls (stg_rudderstack__identifies); output: what fct_sessions'
attribution and identity columns, fct_funnel_steps and fct_funnel_conversion must hold.
"""

from __future__ import annotations

import datetime as dt

import csv
import re
import statistics
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from tests.harness import PROJECT_DIR
from tests.reference import epoch_microseconds

Row = dict[str, Any]
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
ENGAGEMENT = {"min_duration_seconds": 10, "min_views": 2, "events": []}
AUTOMATED_EVENTS_PER_MINUTE = 60  # var rudderstack_automated_events_per_minute, default


def order_key(event: Row) -> tuple:
    """(event_at, event_id), event ids compared byte by byte."""
    return event["event_at"], event["event_id"].encode()


def like(pattern: str | None, value: str) -> bool:
    """SQL LIKE on a lower-cased value; an empty pattern matches anything."""
    pattern = (pattern or "%").lower()
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.S) is not None


def channel_group(medium: str | None, source: str | None, domain: str | None) -> str:
    with open(PROJECT_DIR / "seeds" / "channel_groups.csv", newline="") as handle:
        rules = sorted(csv.DictReader(handle), key=lambda rule: int(rule["rule_order"]))
    touch = [(value or "(none)").lower() for value in (medium, source, domain)]
    for rule in rules:
        patterns = (rule["utm_medium_like"], rule["utm_source_like"], rule["referring_domain_like"])
        if all(like(p, v) for p, v in zip(patterns, touch)):
            return rule["channel_group"]
    return "Other"


def sessions(events: list[Row], identifies: list[Row]) -> dict[str, Row]:
    """session_id -> the attribution and identity columns of fct_sessions."""
    by_session: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        by_session[event["session_id"]].append(event)
    result: dict[str, Row] = {}
    for session_id, rows in by_session.items():
        rows.sort(key=lambda e: e["event_number_in_session"])
        first = rows[0]
        pages = [e for e in rows if e["event_type"] == "page"]
        referred = next((e for e in rows if e["page_referrer"] is not None), None)
        campaign = next((e for e in rows if any(e[c] is not None for c in UTM)), None)
        views = sum(e["event_type"] in ("page", "screen") for e in rows)
        started, ended = min(e["event_at"] for e in rows), max(e["event_at"] for e in rows)
        result[session_id] = {
            "actor_id": first["actor_id"],
            "anonymous_id": next((e["anonymous_id"] for e in rows if e["anonymous_id"] is not None), None),
            "session_started_at": started,
            "session_user_id": next((e["user_id"] for e in rows if e["user_id"] is not None), None),
            "landing_page_path": pages[0]["page_path"] if pages else None,
            "exit_page_path": pages[-1]["page_path"] if pages else None,
            "referrer": referred and referred["page_referrer"],
            "referring_domain": referred and referred["page_referring_domain"],
            **{c: campaign and campaign[c] for c in UTM},
            "device_type": first["device_type"],
            "os_name": first["os_name"],
            "library_name": first["library_name"],
            "library_version": first["library_version"],
            "is_bounce": views == 1 and len(rows) == 1,
            # macros/marts/session_flags.sql: over 24 hours; faster than 60 events a minute (a minute at least).
            "is_long_session": epoch_microseconds(ended) - epoch_microseconds(started) > 24 * 3600 * 1_000_000,
            "has_automated_event_rate": len(rows) * 60 * 1_000_000
            > AUTOMATED_EVENTS_PER_MINUTE * max(epoch_microseconds(ended) - epoch_microseconds(started), 60 * 1_000_000),
            "is_engaged": (
                epoch_microseconds(ended) - epoch_microseconds(started) >= ENGAGEMENT["min_duration_seconds"] * 1_000_000
                or views >= ENGAGEMENT["min_views"]
                or any(e["event_name"] in ENGAGEMENT["events"] for e in rows)
            ),
        }
        result[session_id]["channel_group"] = channel_group(
            result[session_id]["utm_medium"], result[session_id]["utm_source"], result[session_id]["referring_domain"])
    _stitch(result, events, identifies)
    _last_non_direct(result)
    return result


ATTRIBUTION_LOOKBACK = dt.timedelta(days=30)  # var rudderstack_attribution_lookback_days


def _last_non_direct(sessions_by_id: dict[str, Row]) -> None:
    """last_non_direct_*: the session itself when not Direct; else the same user's most
    recent earlier non-Direct session within the lookback (inclusive); else none (Direct)."""
    by_user: dict[tuple, list[Row]] = defaultdict(list)
    for session_id, session in sessions_by_id.items():
        by_user[(session["stitched_user_id"], None if session["stitched_user_id"] else session["actor_id"])].append(
            {**session, "session_id": session_id})
    for members in by_user.values():
        touch = None
        for session in sorted(members, key=lambda s: s["user_session_number"]):
            if session["channel_group"] != "Direct":
                touch = session
            credited = touch if touch is not None and (
                session["session_started_at"] - touch["session_started_at"] <= ATTRIBUTION_LOOKBACK) else None
            sessions_by_id[session["session_id"]].update({
                "last_non_direct_session_id": credited and credited["session_id"],
                "last_non_direct_channel_group": credited["channel_group"] if credited else "Direct",
                **{f"last_non_direct_{c}": credited and credited[c]
                   for c in ("utm_source", "utm_medium", "utm_campaign", "referring_domain")},
            })


def _stitch(sessions_by_id: dict[str, Row], events: list[Row], identifies: list[Row]) -> None:
    """stitched_user_id and user_session_number, as the docs of fct_sessions define them."""
    links: dict[str, list[tuple]] = defaultdict(list)
    for call in identifies:
        if None not in (call["event_id"], call["anonymous_id"], call["user_id"], call["identified_at"]):
            links[call["anonymous_id"]].append((call["identified_at"], call["user_id"].encode(), call["user_id"]))
    for event in events:
        if event["anonymous_id"] is not None and event["user_id"] is not None:
            links[event["anonymous_id"]].append((event["event_at"], event["user_id"].encode(), event["user_id"]))
    runs: dict[str, list[tuple]] = {}
    for anonymous_id, observed in links.items():
        observed.sort()
        runs[anonymous_id] = []
        for at, _, user in observed:
            if not runs[anonymous_id] or runs[anonymous_id][-1][1] != user:
                runs[anonymous_id].append((at, user))
    for session in sessions_by_id.values():
        user = session["session_user_id"]
        candidates = runs.get(session["anonymous_id"], []) if session["anonymous_id"] is not None else []
        if user is None and candidates:
            started = [u for at, u in candidates if at <= session["session_started_at"]]
            user = started[-1] if started else candidates[0][1]
        session["stitched_user_id"] = user
    numbered: dict[tuple, list[tuple]] = defaultdict(list)
    for session_id, session in sessions_by_id.items():
        key = (session["stitched_user_id"], None if session["stitched_user_id"] else session["actor_id"])
        numbered[key].append((session["session_started_at"], session_id.encode(), session_id))
    for members in numbered.values():
        for number, (_, _, session_id) in enumerate(sorted(members), start=1):
            sessions_by_id[session_id]["user_session_number"] = number


def matches(step: Any, event: Row) -> bool:
    if isinstance(step, str):
        return event["event_name"] == step
    return all(event[key] == value for key, value in step.items() if key != "name")


def step_name(step: Any) -> str:
    if isinstance(step, str):
        return step
    return step.get("name") or " ".join(str(step[k]) for k in ("event_name", "event_type", "page_path") if k in step)


def funnel_steps(events: list[Row], sessions_by_id: dict[str, Row], funnels: list[Row]) -> list[Row]:
    """fct_funnel_steps: per funnel and entity, one attempt from its first step-1 event."""
    rows: list[Row] = []
    for funnel in funnels:
        by_entity: dict[str, list[Row]] = defaultdict(list)
        for event in events:
            if funnel["scope"] == "session":
                entity = event["session_id"]
            else:
                entity = sessions_by_id[event["session_id"]]["stitched_user_id"] or event["actor_id"]
            by_entity[entity].append(event)
        window = funnel.get("conversion_window_minutes")
        for entity, entity_events in by_entity.items():
            entity_events.sort(key=order_key)
            position, previous, start, cohort = -1, None, None, None
            for index, step in enumerate(funnel["steps"], start=1):
                found = next((i for i in range(position + 1, len(entity_events)) if matches(step, entity_events[i])), None)
                if found is None:
                    break
                event = entity_events[found]
                if start is not None and window is not None and (
                        epoch_microseconds(event["event_at"]) - epoch_microseconds(start) > round(window * 60 * 1_000_000)):
                    break
                start = start or event["event_at"]
                cohort = cohort or event["cohort"]
                rows.append({
                    "funnel_name": funnel["name"], "entity_id": entity, "step_index": index,
                    "step_name": step_name(step), "event_id": event["event_id"], "reached_at": event["event_at"],
                    "cohort": cohort,
                    "funnel_started_at": start,
                    "seconds_from_previous_step": None if previous is None
                    else Decimal(epoch_microseconds(event["event_at"]) - epoch_microseconds(previous)) / 1_000_000,
                })
                position, previous = found, event["event_at"]
    return rows


def floor6(value: Decimal) -> Decimal:
    """Rounded down to 6 decimals (microseconds), as the marts round ratios and medians."""
    return value.quantize(Decimal("0.000001"), rounding=ROUND_FLOOR)


def funnel_conversion(steps: list[Row], funnels: list[Row]) -> dict[tuple, Row]:
    """fct_funnel_conversion keyed by (funnel, split_by, first_step_date, cohort, step_index)."""
    splits: dict[tuple, list[Row]] = defaultdict(list)
    for row in steps:
        for split in (("all", None, None), ("first_step_date", row["funnel_started_at"].date(), None),
                      ("cohort", None, row["cohort"])):
            splits[(row["funnel_name"], *split)].append(row)
    result: dict[tuple, Row] = {}
    for funnel in funnels:
        for key, rows in splits.items():
            if key[0] != funnel["name"]:
                continue
            counts = [sum(r["step_index"] == i for r in rows) for i in range(1, len(funnel["steps"]) + 1)]
            for index, count in enumerate(counts, start=1):
                seconds = [r["seconds_from_previous_step"] for r in rows
                           if r["step_index"] == index and r["seconds_from_previous_step"] is not None]
                previous = counts[index - 2] if index > 1 else None
                result[(*key, index)] = {
                    "entities": count,
                    "conversion_from_previous_step": None if not previous else floor6(Decimal(count) / previous),
                    "conversion_from_first_step": None if not counts[0] else floor6(Decimal(count) / counts[0]),
                    "median_seconds_from_previous_step": floor6(statistics.median(seconds)) if seconds else None,
                }
    return result


# -- The timeout advisor: rpt_session_timeouts and rpt_session_gap_histogram -----------------------
# (docs/timeout_advisor.md). Every timeout is compared in whole microseconds.
TIMEOUT_CANDIDATES_MINUTES = (5, 10, 15, 30, 45, 60, 120)  # var rudderstack_timeout_candidates_minutes, default
HISTOGRAM_EDGES_MINUTES = (1, 2, 5, 10, 15, 30, 45, 60, 120, 240, 480, 1440, 10080)
PERCENTILES = (50, 75, 90, 95, 99)
KNEE_PERCENT = 2  # the knee rule: the next candidate merges at most 2% of the sessions


def microseconds(minutes: float) -> int:
    return round(minutes * 60 * 1_000_000)


def minutes(us: int | None) -> Decimal | None:
    """Whole microseconds as minutes, rounded down to 6 decimals."""
    return None if us is None else Decimal(us // 60) / 1_000_000


def event_gaps(events: list[Row]) -> list[Row]:
    """One row per event: its cohort, the gap from the actor's previous event and from the
    actor's previous event without an SDK session id, and what the SDK says of the pair."""
    by_actor: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        by_actor[event["actor_id"]].append(event)
    gaps: list[Row] = []
    for actor_events in by_actor.values():
        actor_events.sort(key=order_key)
        previous, previous_sessionless = None, None
        for event in actor_events:
            at = epoch_microseconds(event["event_at"])
            row = {"cohort": event["cohort"], "is_first": previous is None, "gap": None, "sdk_same": None,
                   "sessionless": event["sdk_session_id"] is None, "derived_gap": None}
            if previous is not None:
                row["gap"] = at - epoch_microseconds(previous["event_at"])
                if event["sdk_session_id"] is not None and previous["sdk_session_id"] is not None:
                    row["sdk_same"] = event["sdk_session_id"] == previous["sdk_session_id"]
            if row["sessionless"]:
                if previous_sessionless is not None:
                    row["derived_gap"] = at - epoch_microseconds(previous_sessionless["event_at"])
                previous_sessionless = event
            previous = event
            gaps.append(row)
    return gaps


def percentile(sorted_values: list[int], p: int) -> int | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not sorted_values:
        return None
    rank = -(-p * len(sorted_values) // 100)
    return sorted_values[rank - 1]


def timeout_advisor(events: list[Row], candidates_minutes=TIMEOUT_CANDIDATES_MINUTES,
                    timeouts_minutes: dict | None = None) -> tuple[dict[tuple, Row], dict[tuple, Row]]:
    """(rpt_session_timeouts keyed by (cohort, candidate_timeout_minutes),
        rpt_session_gap_histogram keyed by (cohort, bucket_number))."""
    timeouts_minutes = timeouts_minutes or {"web": 30, "mobile": 5, "server": 30, "default": 30}
    configured_us = {cohort: microseconds(m) for cohort, m in timeouts_minutes.items()}
    by_cohort: dict[str, list[Row]] = defaultdict(list)
    for row in event_gaps(events):
        by_cohort[row["cohort"]].append(row)
    report: dict[tuple, Row] = {}
    histogram: dict[tuple, Row] = {}
    for cohort, rows in by_cohort.items():
        configured = configured_us.get(cohort, configured_us["default"])
        gaps = sorted(r["gap"] for r in rows if r["gap"] is not None)
        sdk = [r for r in rows if r["sdk_same"] is not None]
        candidates = sorted({microseconds(m) for m in candidates_minutes} | {configured})
        evaluated, agreeing_by_timeout = [], {}
        for timeout in candidates:
            agreeing = sum((r["gap"] <= timeout) == r["sdk_same"] for r in sdk)
            agreeing_by_timeout[timeout] = agreeing
            evaluated.append({
                "cohort": cohort,
                "candidate_timeout_minutes": minutes(timeout),
                "configured_timeout_minutes": minutes(configured),
                "is_configured": timeout == configured,
                "event_count": len(rows),
                "gap_count": len(gaps),
                "session_count": sum(r["is_first"] or r["gap"] > timeout for r in rows),
                "derived_session_count": sum(
                    r["sessionless"] and (r["derived_gap"] is None or r["derived_gap"] > timeout) for r in rows),
                "sdk_pair_count": len(sdk),
                "sdk_same_session_pair_count": sum(r["sdk_same"] for r in sdk),
                "sdk_pair_agreement": floor6(Decimal(agreeing) / len(sdk)) if sdk else None,
                **{f"gap_p{p}_minutes": minutes(percentile(gaps, p)) for p in PERCENTILES},
            })
        if sdk:
            # The most agreeing pairs (counted, not the rounded share); ties: the configured
            # timeout when it is among them, else the smallest.
            best = max(zip(evaluated, candidates),
                       key=lambda pair: (agreeing_by_timeout[pair[1]], pair[1] == configured, -pair[1]))[0]
            rule = "sdk_agreement"
        else:
            best = next(r for r, following in zip(evaluated, [*evaluated[1:], None]) if following is None
                        or 100 * (r["session_count"] - following["session_count"]) <= KNEE_PERCENT * r["session_count"])
            rule = "session_count_knee"
        for r in evaluated:
            r.update(is_suggested=r is best, suggestion_rule=rule,
                     suggested_timeout_minutes=best["candidate_timeout_minutes"])
            report[(cohort, r["candidate_timeout_minutes"])] = r
        edges = sorted({microseconds(m) for m in HISTOGRAM_EDGES_MINUTES} | {microseconds(m) for m in candidates_minutes}
                       | set(configured_us.values()))
        bounds = list(zip([0, *edges], [*edges, None]))
        for number, (lower, upper) in enumerate(bounds, start=1):
            count = sum(1 for g in gaps if (number == 1 or g > lower) and (upper is None or g <= upper))
            histogram[(cohort, number)] = {
                "cohort": cohort, "bucket_number": number,
                "gap_above_minutes": minutes(lower), "gap_up_to_minutes": minutes(upper),
                "gap_count": count, "gap_share": floor6(Decimal(count) / len(gaps)) if gaps else None,
                "configured_timeout_minutes": minutes(configured),
                "suggested_timeout_minutes": best["candidate_timeout_minutes"],
            }
    return report, histogram
# fct_conversions' columns of the session (its attribution and stitched user), as fct_sessions has them.
CONVERSION_SESSION_COLUMNS = (
    "stitched_user_id", "channel_group", "landing_page_path", "referrer", "referring_domain", *UTM,
    "last_non_direct_channel_group", "last_non_direct_utm_source", "last_non_direct_utm_medium",
    "last_non_direct_utm_campaign", "last_non_direct_referring_domain",
)
# A value stored as text is read only when it is a plain decimal the engines all cast the same way.
PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]{1,22}(\.[0-9]{1,6})?")
MAX_VALUE = Decimal(10) ** 22  # numeric(28,6): 22 digits before the point


def conversion_table(conversion: Row) -> str:
    """The per-event table RudderStack writes a track event to: its `table`, else the event
    name in snake_case (camelCase split, anything but letters and digits one `_`)."""
    if conversion.get("table"):
        return conversion["table"]
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", conversion["event"])
    name = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return "_" + name if name[:1].isdigit() else name


def conversion_value(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Decimal(value) if PLAIN_DECIMAL.fullmatch(value) else None
    value = Decimal(value)
    return value if -MAX_VALUE < value < MAX_VALUE else None


def conversions(events: list[Row], sessions_by_id: dict[str, Row], raw: dict[str, list[Row]],
                listed: list[Row]) -> dict[str, Row]:
    """fct_conversions by event id: every track of fct_events named as a listed conversion, with
    the value and currency of its row in the event's own table (the delivery received last,
    then loaded last, then the highest value, then the currency first in byte order; NULL
    when the table, the column or the row is missing), and its session's attribution."""
    result: dict[str, Row] = {}
    by_name = {c["event"]: c for c in listed}
    for event in events:
        conversion = by_name.get(event["event_name"])
        if event["event_type"] != "track" or conversion is None:
            continue
        deliveries = []
        for row in raw.get(conversion_table(conversion), []):
            if row.get("id") != event["event_id"]:
                continue
            value = conversion_value(row.get(conversion.get("value_column") or "", None))
            currency = row.get(conversion.get("currency_column") or "", None)
            deliveries.append((row.get("received_at"), row.get("uuid_ts"), value, currency))

        def order(delivery: tuple) -> tuple:
            received, loaded, value, currency = delivery
            return (received is None, -(received.timestamp() if received else 0),
                    loaded is None, -(loaded.timestamp() if loaded else 0),
                    value is None, -(value or 0), currency is not None, (currency or "").encode())

        kept = min(deliveries, key=order) if deliveries else (None, None, None, None)
        session = sessions_by_id[event["session_id"]]
        result[event["event_id"]] = {
            "conversion_name": conversion["event"], "event_at": event["event_at"], "session_id": event["session_id"],
            "actor_id": event["actor_id"], "user_id": event["user_id"], "value": kept[2], "currency": kept[3],
            **{c: session[c] for c in CONVERSION_SESSION_COLUMNS},
        }
    return result


def session_conversions(sessions_by_id: dict[str, Row], conversions_by_event: dict[str, Row]) -> dict[str, Row]:
    """fct_sessions' conversion columns: a count, and the values summed when the session's valued
    conversions share one currency (or none has one); NULL when none has a value or currencies differ."""
    by_session: dict[str, list[Row]] = defaultdict(list)
    for conversion in conversions_by_event.values():
        by_session[conversion["session_id"]].append(conversion)
    result = {}
    for session_id in sessions_by_id:
        rows = by_session.get(session_id, [])
        valued = [r for r in rows if r["value"] is not None]
        currencies = {r["currency"] for r in valued}
        single = len(currencies) <= 1
        result[session_id] = {
            "conversion_count": len(rows),
            "is_converted": bool(rows),
            "conversion_value": sum(r["value"] for r in valued) if valued and single else None,
            "conversion_currency": next(iter(currencies)) if valued and single else None,
        }
    return result
