"""A small pure-Python reference of the product contract (docs/sessionization.md).

Written from the spec, not from the SQL: raw RudderStack rows in, the events, sessions
and rejected rows the dbt project must produce out. The pytest suites compare the
warehouse's fct_events / fct_sessions / state_rejected_rows with this on generated data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tools.rudderstack_tables import ACTIVITY_TABLES

EVENT_TYPES = {"tracks": "track", "pages": "page", "screens": "screen"}
DEFAULT_TIMEOUTS = {"web": 30, "mobile": 5, "server": 30, "default": 30}
EPOCH = dt.datetime(1970, 1, 1)

Row = Mapping[str, Any]
CohortRule = Callable[[Row], Any]


def channel_cohort(row: Row) -> Any:
    """The default var sessionization_cohort: the channel, 'default' for anything else."""
    return row["channel"] if row["channel"] in ("web", "mobile", "server") else "default"


@dataclass(frozen=True)
class Event:
    event_id: str
    actor_id: str
    anonymous_id: str | None
    user_id: str | None
    event_at: dt.datetime
    event_type: str
    event_name: str | None
    channel: str | None
    sdk_session_id: str | None
    is_sdk_session_start: bool | None
    cohort: str
    duplicate_row_count: int
    session_id: str = ""
    session_source: str = ""
    event_number_in_session: int = 0


@dataclass(frozen=True)
class Session:
    session_id: str
    actor_id: str
    anonymous_id: str | None
    session_source: str
    sdk_session_id: str | None
    cohort: str
    channel: str | None
    session_started_at: dt.datetime
    session_ended_at: dt.datetime
    duration_seconds: Decimal
    event_count: int
    track_count: int
    page_count: int
    screen_count: int
    session_start_flag_count: int | None
    has_session_start_flag: bool | None
    is_first_event_session_start: bool | None


@dataclass
class Result:
    events: dict[str, Event]
    sessions: dict[str, Session]
    rejected: list[tuple[str, str | None]]  # (reason, raw id)
    raw_row_count: int


def _text(value: Any) -> str | None:
    """An id as staged: byte for byte; whitespace alone is missing."""
    if value is None:
        return None
    text = str(value)
    return None if text.strip(" \t\n\v\f\r") == "" else text


def _sdk_session_id(value: Any) -> str | None:
    """An SDK session id as staged: text as an id; a number only when it is whole and
    within the signed 64-bit range (anything else is no session id the SDK wrote)."""
    if value is None or isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if value != int(value) or not -(2**63) <= int(value) < 2**63:
        return None
    return str(int(value))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


ISO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?"
)


def _time(value: Any) -> dt.datetime | None:
    """A time column's value as UTC: a time as it is; text only when it is an ISO-8601
    time on a day that exists, with an offset of at most 14 hours; anything else None
    (README, "Data quality and safety")."""
    if value is None or isinstance(value, dt.datetime):
        return _utc(value)
    match = ISO_TIME.fullmatch(str(value))
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _, sign, offset_hours, offset_minutes = match.groups()
    if sign and (int(offset_hours) > 14 or int(offset_minutes or 0) > 59):
        return None
    try:
        at = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                         int((fraction or "0").ljust(6, "0")))
    except ValueError:  # no such day or hour, year 0
        return None
    if sign:
        at -= int(f"{sign}1") * dt.timedelta(hours=int(offset_hours), minutes=int(offset_minutes or 0))
    return at


def epoch_microseconds(value: dt.datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def session_id_of(kind: str, actor_id: str, tail: str) -> str:
    return hashlib.md5(f"{kind}|{actor_id}|{tail}".encode()).hexdigest()


def sessionize(
    rows_by_table: Mapping[str, Sequence[Row]],
    timeouts_minutes: Mapping[str, float] = DEFAULT_TIMEOUTS,
    cohort_rule: CohortRule = channel_cohort,
    max_session_duration_hours: float | None = None,
    run_started_at: dt.datetime | None = None,
) -> Result:
    """Reject, deduplicate, assign cohorts and sessions, as docs/sessionization.md says.
    A row that arrived more than a day after the run started (default: now) is rejected;
    rows that arrive during a run are not expected here."""
    future_at = (run_started_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) + dt.timedelta(days=1)
    rejected: list[tuple[str, str | None]] = []
    candidates: dict[str, list[tuple[tuple[Any, ...], Row, str]]] = defaultdict(list)
    raw_row_count = 0
    for table in ACTIVITY_TABLES:
        for row in rows_by_table.get(table, ()):
            raw_row_count += 1
            event_id = _text(row.get("id"))
            actor_id = _text(row.get("anonymous_id")) or _text(row.get("user_id"))
            if event_id is None:
                rejected.append(("missing_event_id", None))
            elif _time(row.get("timestamp")) is None:
                reason = "missing_timestamp" if row.get("timestamp") is None else "invalid_timestamp"
                rejected.append((reason, event_id))
            elif actor_id is None:
                rejected.append(("missing_actor", event_id))
            elif (_time(row.get("uuid_ts")) or _time(row.get("received_at")) or EPOCH) > future_at:
                rejected.append(("arrival_in_future", event_id))
            else:
                # Latest received_at wins; then the latest load, then the latest event
                # time. (Generated duplicates tying on all three are identical rows.)
                received = _time(row.get("received_at")) or dt.datetime.min
                loaded = _time(row.get("uuid_ts")) or dt.datetime.min
                candidates[event_id].append(((received, loaded, _time(row["timestamp"])), row, table))

    events: dict[str, Event] = {}
    for event_id, delivered in candidates.items():
        _, row, table = max(delivered, key=lambda item: item[0])
        name_column = "event_text" if table == "tracks" else "name"
        # Text other than ids is kept byte for byte (README, "Data quality and safety").
        name = row.get(name_column)
        if name is None and table == "tracks":
            name = row.get("event")
        sdk_session = row.get("context_session_id")
        cohort = cohort_rule(row)
        events[event_id] = Event(
            event_id=event_id,
            actor_id=_text(row.get("anonymous_id")) or _text(row.get("user_id")) or "",
            anonymous_id=_text(row.get("anonymous_id")),
            user_id=_text(row.get("user_id")),
            event_at=_time(row["timestamp"]),  # type: ignore[arg-type]
            event_type=EVENT_TYPES[table],
            event_name=name,
            channel=row.get("channel"),
            sdk_session_id=_sdk_session_id(sdk_session),
            is_sdk_session_start=row.get("context_session_start"),
            cohort="default" if cohort is None else str(cohort),
            duplicate_row_count=len(delivered) - 1,
        )

    by_actor: dict[str, list[Event]] = defaultdict(list)
    for event in events.values():
        by_actor[event.actor_id].append(event)
    assigned: dict[str, Event] = {}
    for actor_id, actor_events in by_actor.items():
        for event in actor_events:
            if event.sdk_session_id is not None:
                assigned[event.event_id] = _with(
                    event, session_id=session_id_of("sdk", actor_id, event.sdk_session_id), session_source="sdk")
        sessionless = sorted((e for e in actor_events if e.sdk_session_id is None),
                             key=lambda e: (e.event_at, e.event_id))
        start: dt.datetime | None = None
        previous: dt.datetime | None = None
        for event in sessionless:
            timeout = dt.timedelta(minutes=timeouts_minutes.get(event.cohort, timeouts_minutes["default"]))
            if previous is None or event.event_at - previous > timeout:
                start = event.event_at
            previous = event.event_at
            assert start is not None
            assigned[event.event_id] = _with(
                event,
                session_id=session_id_of("derived", actor_id, str(epoch_microseconds(start))),
                session_source="derived",
            )

    # Var max_session_duration_hours: a session longer than the cap is cut at each whole
    # cap after its first event; an event exactly k caps after it stays in the earlier
    # piece. Piece 0 keeps the session's id, piece k > 0 adds '|k' to what the id hashes.
    piece_of: dict[str, int] = {}
    if max_session_duration_hours is not None:
        cap = round(max_session_duration_hours * 3600 * 1_000_000)
        uncut: dict[str, list[Event]] = defaultdict(list)
        for event in assigned.values():
            uncut[event.session_id].append(event)
        for session_events in uncut.values():
            start = min(e.event_at for e in session_events)
            for event in session_events:
                elapsed = epoch_microseconds(event.event_at) - epoch_microseconds(start)
                piece = (elapsed - 1) // cap if elapsed > cap else 0
                if event.session_source == "sdk":
                    assert event.sdk_session_id is not None
                    tail = event.sdk_session_id
                else:
                    tail = str(epoch_microseconds(start))
                session_id = session_id_of(event.session_source, event.actor_id,
                                           tail if piece == 0 else f"{tail}|{piece}")
                piece_of[session_id] = piece
                assigned[event.event_id] = _with(event, session_id=session_id)

    # The SDK flags a session's first call, which can be an identify call: count
    # flagged identifies (once per message id) with the session's actor and id.
    flagged_identifies: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows_by_table.get("identifies", ()):
        actor = _text(row.get("anonymous_id")) or _text(row.get("user_id"))
        message_id = _text(row.get("id"))
        if row.get("context_session_start") and row.get("context_session_id") is not None and actor and message_id:
            flagged_identifies[(actor, str(int(row["context_session_id"])))].add(message_id)

    sessions: dict[str, Session] = {}
    by_session: dict[str, list[Event]] = defaultdict(list)
    for event in assigned.values():
        by_session[event.session_id].append(event)
    for session_id, session_events in by_session.items():
        session_events.sort(key=lambda e: (e.event_at, e.event_id))  # str order is byte order here
        for number, event in enumerate(session_events, start=1):
            assigned[event.event_id] = _with(event, event_number_in_session=number)
        first, last = session_events[0], session_events[-1]
        is_sdk = first.session_source == "sdk"
        flags = None
        if is_sdk:
            assert first.sdk_session_id is not None
            # A cut session's identify flags go to its first piece (the SDK session's start).
            flags = sum(1 for e in session_events if e.is_sdk_session_start) + (
                0 if piece_of.get(session_id, 0) else len(flagged_identifies[(first.actor_id, first.sdk_session_id)]))
        anonymous_ids = [e.anonymous_id for e in session_events if e.anonymous_id is not None]
        sessions[session_id] = Session(
            session_id=session_id,
            actor_id=first.actor_id,
            anonymous_id=max(anonymous_ids) if anonymous_ids else None,
            session_source=first.session_source,
            sdk_session_id=first.sdk_session_id,
            cohort=first.cohort,
            channel=first.channel,
            session_started_at=first.event_at,
            session_ended_at=last.event_at,
            duration_seconds=Decimal(epoch_microseconds(last.event_at) - epoch_microseconds(first.event_at))
            / Decimal(1_000_000),
            event_count=len(session_events),
            track_count=sum(1 for e in session_events if e.event_type == "track"),
            page_count=sum(1 for e in session_events if e.event_type == "page"),
            screen_count=sum(1 for e in session_events if e.event_type == "screen"),
            session_start_flag_count=flags,
            has_session_start_flag=None if flags is None else flags > 0,
            is_first_event_session_start=bool(first.is_sdk_session_start) if is_sdk else None,
        )
    return Result(events=assigned, sessions=sessions, rejected=rejected, raw_row_count=raw_row_count)


def _with(event: Event, **changes: Any) -> Event:
    return Event(**{**event.__dict__, **changes})
