"""Hypothesis strategies for raw RudderStack event streams.

One drawn stream is one actor's history: events with and without SDK session ids,
gaps drawn around the cohort timeouts (exactly equal, one microsecond over or under),
identical timestamps broken by mixed-case ids (byte order differs from en_US order),
several channels, duplicates delivered again later (sometimes with a slightly different
corrected timestamp, in another table, or with no received_at), identify calls carrying
session-start flags, and rows that must be rejected. Many actors go into one dataset so
a single dbt run checks many independent examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tools.rudderstack_tables import ACTIVITY_TABLES

UTC = dt.timezone.utc
BASE = dt.datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
MICROSECOND = dt.timedelta(microseconds=1)
# Shared across actors on purpose: SDK session ids are not unique across actors.
SESSION_ID_POOL = [1772402400, 1772402400000, 1772406000, 1772406000123, 9000000000001]
CHANNELS = ["web", "mobile", "server", "server", "other", None]
ID_PREFIXES = st.text(alphabet="aBbC", min_size=1, max_size=2)
USER_TYPES = ["buyer", "seller", "admin", None]


@st.composite
def gaps(draw: st.DrawFn, timeouts_minutes: Sequence[float] = (5, 30, 45, 10)) -> dt.timedelta:
    """Time to the actor's next event, biased to the timeouts' edges."""
    edge = dt.timedelta(minutes=draw(st.sampled_from(list(timeouts_minutes))))
    return draw(
        st.one_of(
            st.just(dt.timedelta(0)),
            st.sampled_from([edge, edge - MICROSECOND, edge + MICROSECOND]),
            st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=3)),
            st.timedeltas(min_value=dt.timedelta(hours=3), max_value=dt.timedelta(days=2)),
        )
    )


@st.composite
def actor_stream(draw: st.DrawFn, actor_index: int) -> dict[str, list[dict[str, Any]]]:
    """Raw rows, per table, for one actor (and its rejected siblings)."""
    kind = draw(st.sampled_from(["anonymous", "user_only", "identified"]))
    anonymous_id = None if kind == "user_only" else f"anon-{actor_index:04d}"
    user_id = None if kind == "anonymous" else f"user-{actor_index:04d}"
    user_type = draw(st.sampled_from(USER_TYPES))
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in (*ACTIVITY_TABLES, "identifies")}
    at = BASE + draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=6)))
    for number in range(draw(st.integers(min_value=1, max_value=14))):
        if number:
            at += draw(gaps())
        table = draw(st.sampled_from(ACTIVITY_TABLES))
        received_at = at + draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3)))
        row: dict[str, Any] = {
            # The prefix decides the order of events with the same timestamp.
            "id": f"{draw(ID_PREFIXES)}-{actor_index:04d}-{number:03d}",
            "anonymous_id": anonymous_id,
            "user_id": user_id if kind != "identified" or draw(st.booleans()) else None,
            "timestamp": at,
            "original_timestamp": at,
            "sent_at": received_at,
            "received_at": received_at,
            "uuid_ts": received_at + dt.timedelta(minutes=draw(st.integers(0, 30))),
            "channel": draw(st.sampled_from(CHANNELS)),
            "context_session_id": draw(st.one_of(st.none(), st.sampled_from(SESSION_ID_POOL))),
            "context_session_start": draw(st.sampled_from([True, None])),
            "context_traits_user_type": user_type if draw(st.booleans()) else None,
        }
        name = draw(st.sampled_from(["Home", "Product Viewed", "Order Completed", "Cart"]))
        # Every name column, so a copy delivered into another table still has a name.
        row.update(event_text=name, event=name.lower().replace(" ", "_"), name=name)
        rows[table].append(row)
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            rows[draw(st.sampled_from([table, table, table, *ACTIVITY_TABLES]))].append(draw(redelivery(row)))
        if row["context_session_id"] is not None and draw(st.integers(0, 4)) == 0:
            rows["identifies"].append({
                "id": f"identify-{actor_index:04d}-{number:03d}",
                "anonymous_id": anonymous_id,
                "user_id": user_id,
                "timestamp": at,
                # Received on its own schedule: it can land in a later load than its session's events.
                "received_at": at + draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3))),
                "channel": row["channel"],
                "context_session_id": row["context_session_id"],
                "context_session_start": draw(st.sampled_from([True, None])),
            })
    for table, row in draw(st.lists(invalid_row(actor_index, at), max_size=2)):
        rows[table].append(row)
    return rows


@st.composite
def redelivery(draw: st.DrawFn, row: dict[str, Any]) -> dict[str, Any]:
    """The same message delivered again: later, or at the same instant but loaded later.

    A retry's corrected timestamp can move slightly (the client clock moved between
    sends), so a later copy may carry another `timestamp`: the latest received wins.
    """
    copy = dict(row)
    later = draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=2)))
    if later:
        copy["received_at"] = row["received_at"] + later
        copy["uuid_ts"] = copy["received_at"] + dt.timedelta(minutes=draw(st.integers(1, 30)))
        copy["timestamp"] = row["timestamp"] + draw(st.sampled_from([dt.timedelta(0), dt.timedelta(milliseconds=7)]))
    elif draw(st.booleans()):
        copy["uuid_ts"] = row["uuid_ts"] + dt.timedelta(minutes=5)
    if draw(st.integers(0, 3)) == 0:
        copy["received_at"] = None  # a corrupt delivery: loses to any received copy
    return copy


@st.composite
def invalid_row(draw: st.DrawFn, actor_index: int, at: dt.datetime) -> tuple[str, dict[str, Any]]:
    """A row that must be rejected: no id, no timestamp, or no actor (NULL or blank)."""
    reason = draw(st.sampled_from(["missing_event_id", "missing_timestamp", "missing_actor", "blank_actor"]))
    row: dict[str, Any] = {
        "id": f"bad-{actor_index:04d}-{reason}-{draw(st.integers(0, 9999))}",
        "anonymous_id": f"anon-{actor_index:04d}",
        "user_id": None,
        "timestamp": at,
        "received_at": at,
        "channel": "web",
    }
    blank = draw(st.sampled_from(["   ", "\t", " \n\r ", "\x0b\x0c"]))  # whitespace alone is missing
    if reason == "missing_event_id":
        row["id"] = draw(st.sampled_from([None, blank]))
    elif reason == "missing_timestamp":
        row["timestamp"] = None
    elif reason == "missing_actor":
        row["anonymous_id"] = None
    else:
        row["anonymous_id"] = blank
    return draw(st.sampled_from(ACTIVITY_TABLES)), row


@st.composite
def long_session_stream(draw: st.DrawFn, actor_index: int, cap_hours: float) -> dict[str, list[dict[str, Any]]]:
    """Raw rows for one actor whose sessions outlast a cap of `cap_hours` (var
    max_session_duration_hours): a derived session of server events (30-minute timeout)
    never more than 30 minutes apart, lasting one to 24 caps exactly, or a microsecond
    less or more; then an SDK session lasting more than one to 24 caps, with idle gaps
    of any length. Always at least one cut. Mostly received as they happen (so that an
    arrival cut falls between pieces of one session), some late, some delivered again."""
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in (*ACTIVITY_TABLES, "identifies")}
    cap = dt.timedelta(hours=cap_hours)
    anonymous_id = f"long-{actor_index:04d}"
    start = BASE + draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=6)))
    number = 0
    for sdk_session_id in (None, draw(st.sampled_from(SESSION_ID_POOL))):
        caps = draw(st.integers(min_value=1, max_value=24))
        if sdk_session_id is None:
            end = start + caps * cap + draw(st.sampled_from([MICROSECOND, dt.timedelta(0), -MICROSECOND]))
            times, at = [start], start
            while end - at > dt.timedelta(minutes=30):
                at += draw(st.sampled_from([dt.timedelta(minutes=m) for m in (30, 20, 7)] +
                                           [dt.timedelta(minutes=30) - MICROSECOND]))
                times.append(at)
            times.append(end)
        else:
            end = start + caps * cap + draw(st.sampled_from([MICROSECOND, cap / 2]))
            times = [start, end] + draw(st.lists(st.datetimes(
                min_value=start.replace(tzinfo=None), max_value=end.replace(tzinfo=None), timezones=st.just(UTC)),
                max_size=4))
            if draw(st.booleans()):  # the SDK flags the session's start on an identify call
                rows["identifies"].append({
                    "id": f"identify-L{actor_index:04d}", "anonymous_id": anonymous_id, "user_id": None,
                    "timestamp": start, "received_at": start, "channel": "mobile",
                    "context_session_id": sdk_session_id, "context_session_start": True,
                })
        for at in times:
            received_at = at + draw(st.one_of(
                st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(minutes=10)),
                st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3))))
            table = draw(st.sampled_from(ACTIVITY_TABLES))
            row = {
                "id": f"{draw(ID_PREFIXES)}-L{actor_index:04d}-{number:03d}",
                "anonymous_id": anonymous_id,
                "user_id": None,
                "timestamp": at,
                "original_timestamp": at,
                "sent_at": received_at,
                "received_at": received_at,
                "uuid_ts": received_at + dt.timedelta(minutes=draw(st.integers(0, 30))),
                "channel": "server" if sdk_session_id is None else draw(st.sampled_from(CHANNELS)),
                "context_session_id": sdk_session_id,
                "context_session_start": draw(st.sampled_from([True, None])),
                "context_traits_user_type": None,
                "event_text": "Ping", "event": "ping", "name": "Ping",
            }
            rows[table].append(row)
            if draw(st.integers(0, 3)) == 0:
                rows[table].append(draw(redelivery(row)))
            number += 1
        start = end + draw(st.timedeltas(min_value=dt.timedelta(minutes=31), max_value=dt.timedelta(days=1)))
    return rows


def datasets(max_actors: int = 40, min_actors: int = 1,
             cap_hours: float | None = None) -> st.SearchStrategy[dict[str, list[dict[str, Any]]]]:
    """Many independent actor streams merged into one set of raw tables; with `cap_hours`,
    one to three more actors whose sessions outlast that cap (long_session_stream)."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
        merged: dict[str, list[dict[str, Any]]] = {table: [] for table in (*ACTIVITY_TABLES, "identifies")}
        for index in range(draw(st.integers(min_value=min_actors, max_value=max_actors))):
            for table, table_rows in draw(actor_stream(index)).items():
                merged[table].extend(table_rows)
        for index in range(draw(st.integers(min_value=1, max_value=3)) if cap_hours is not None else 0):
            for table, table_rows in draw(long_session_stream(index, cap_hours)).items():
                merged[table].extend(table_rows)
        return merged

    return build()


# Per-event track tables (RudderStack writes every track call to `tracks` and to a table of
# its own named after the event, with the event's properties as columns): the conversions
# tests/test_conversions.py lists, the table each is written to, and its property columns'
# types. 'Cart' goes to a table the var names (`table:`), with its value as text and no
# currency column; 'Home' has no table at all.
CONVERSION_TABLES = {
    "Order Completed": ("order_completed", {"revenue": "numeric(18,2)", "currency": "text"}),
    "Cart": ("cart_viewed", {"value": "text"}),
}
CONVERSIONS = [
    {"event": "Order Completed", "value_column": "revenue", "currency_column": "currency"},
    {"event": "Cart", "value_column": "value", "currency_column": "currency", "table": "cart_viewed"},
    {"event": "Home", "value_column": "revenue"},
]
# Text values: numbers the project reads, and text it must read as NULL (not a plain decimal,
# more than 6 decimals, more than 22 digits before the point), never failing the build.
TEXT_VALUES = ["12.50", "-3", "+7", "0.000001", "abc", "", " 3", "1e3", "12.3456789", "4.", ".5",
               "1234567890123456789012.5", "12345678901234567890123", None]


@st.composite
def conversion_tables(draw: st.DrawFn, data: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of the per-event tables for the track deliveries of `data` named as a conversion:
    most deliveries have their row (a redelivery carries its own value, so which delivery
    wins matters), some have none (the value is then NULL), some have two rows with the
    same arrival times and different values (only the tie-break decides). Which, and the
    values, turn with the row's position from a drawn start, so that even hypothesis'
    simplest draw holds every case."""
    tables: dict[str, list[dict[str, Any]]] = {table: [] for table, _ in CONVERSION_TABLES.values()}
    start = draw(st.integers(0, 999))
    currencies = ["USD", "EUR", None, "USD", "usd"]

    def properties(table_columns: dict[str, str], k: int) -> dict[str, Any]:
        if "revenue" in table_columns:
            cents = draw(st.integers(0, 999_999)) + 3_701 * k
            return {"revenue": None if k % 5 == 4 else Decimal(cents % 1_000_000) / 100,
                    "currency": currencies[k % len(currencies)]}
        return {"value": TEXT_VALUES[k % len(TEXT_VALUES)]}

    for index, row in enumerate(data["tracks"]):
        k = start + index
        if row.get("event_text") not in CONVERSION_TABLES or k % 6 == 5:
            continue
        table, table_columns = CONVERSION_TABLES[row["event_text"]]
        tables[table].append({**row, **properties(table_columns, k)})
        if k % 4 == 1:
            # Written twice with the same arrival times but another payload: the tie-break decides.
            tables[table].append({**row, **properties(table_columns, k + 3)})
    return tables
