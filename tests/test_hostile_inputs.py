"""A catalogue of hostile and broken raw rows (issue "Trust", README "Data quality and
safety"): for each, where the row lands (an event of fct_events, the delivery kept by
deduplication, or state_rejected_rows with its reason), by exact raw id, on every engine;
text comes out byte for byte, and session ids are the documented hashes. Every case is
also checked, with everything else, against the pure-Python reference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.compare import assert_conserved, assert_matches_reference
from tests.reference import _text, sessionize, session_id_of

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
LONG_TEXT = "".join(chr(0x20 + i % 0x5F) for i in range(100_000))
TEXTS = {
    "quotes": "O'Brien said \"hi\" `x`",
    "backslashes": "C:\\new\\table\\0 \\\\ \\'",
    "line_breaks": "one\ntwo\r\nthree\tfour",
    "control_characters": "bell\x07 escape\x1b unit\x1f delete\x7f",
    "scripts": "Ελληνικά Кириллица עברית العربية हिन्दी 中文 日本語 한국어 ไทย ✓ 👩🏽‍💻 e\u0301",
    "sql": "'); drop table tracks; -- /* */ select 1;",
    "jinja": "{{ var('x') }} {% if true %}{% endif %} {# c #}",
    "long": LONG_TEXT,
}


def _track(event_id: Any, minute: int = 0, **columns: Any) -> dict[str, Any]:
    at = T0 + dt.timedelta(minutes=minute)
    return {"id": event_id, "anonymous_id": "visitor", "timestamp": at, "received_at": at, "uuid_ts": at,
            "channel": "web", "event_text": "Viewed", **columns}


# Column types other than RudderStack's: pages keep their times and session ids as text,
# screens their ids as numbers and session ids as floats; tracks carry columns nobody listed.
COLUMN_TYPES = {
    "pages": {"timestamp": "text", "received_at": "text", "uuid_ts": "text", "context_session_id": "text"},
    "screens": {"id": "bigint", "context_session_id": "double precision"},
    "tracks": {"context_unexpected_text": "text", "context_unexpected_number": "double precision"},
}


def _page(event_id: str, at: str, **columns: Any) -> dict[str, Any]:
    arrival = "2026-03-01T12:00:00Z"
    return {"id": event_id, "anonymous_id": f"a-{event_id}", "timestamp": at, "received_at": arrival,
            "uuid_ts": arrival, "channel": "web", "name": "Page", **columns}


def catalogue() -> tuple[dict[str, list[dict]], dict[str, tuple[str, Any]]]:
    """Raw tables (typed as COLUMN_TYPES says), and per raw id what must become of it:
    ('rejected', reason), ('event', {column: value}), ('session', sdk session id as text)."""
    tracks: list[dict] = []
    pages: list[dict] = []
    screens: list[dict] = []
    expect: dict[str, tuple[str, Any]] = {}

    # Ids and actors.
    tracks.append(_track(None, anonymous_id="no-id"))
    tracks.append(_track("   ", anonymous_id="blank-id"))
    tracks.append(_track("\t\n\r\x0b\x0c ", anonymous_id="whitespace-id"))
    tracks.append(_track("\tkept\n", 0, anonymous_id="a-tab-padded"))
    tracks.append(_track(" padded ", 0, anonymous_id=" a-padded "))
    tracks.append(_track("padded", 1, anonymous_id="a-padded"))
    tracks.append(_track("no-time", timestamp=None))
    tracks.append(_track("no-actor", anonymous_id=None, user_id=None))
    tracks.append(_track("blank-actor", anonymous_id="   ", user_id="  "))
    tracks.append(_track("user-only", anonymous_id=None, user_id="user-1", channel="server"))
    expect.update({
        "no-time": ("rejected", "missing_timestamp"),
        "no-actor": ("rejected", "missing_actor"),
        "blank-actor": ("rejected", "missing_actor"),
        "user-only": ("event", {"actor_id": "user-1", "anonymous_id": None, "user_id": "user-1"}),
        "\tkept\n": ("event", {"anonymous_id": "a-tab-padded"}),
        # Ids byte for byte: surrounding spaces make another id, and another actor.
        " padded ": ("event", {"actor_id": " a-padded ", "duplicate_row_count": 0}),
        "padded": ("event", {"actor_id": "a-padded", "duplicate_row_count": 0}),
    })

    # Deliveries: identical copies; the same id with another payload (received later wins);
    # the same id in two tables.
    tracks += [_track("copies", 1, anonymous_id="a-copies")] * 3
    tracks.append(_track("payloads", 2, anonymous_id="a-payloads", event_text="First"))
    tracks.append({**_track("payloads", 2, anonymous_id="a-payloads", event_text="Second"),
                   "received_at": T0 + dt.timedelta(minutes=9), "uuid_ts": T0 + dt.timedelta(minutes=9)})
    tracks.append(_track("two-tables", 3, anonymous_id="a-two-tables", event_text="As a track"))
    pages.append({**_track("two-tables", 3, anonymous_id="a-two-tables", name="As a page"),
                  "received_at": T0 + dt.timedelta(minutes=8), "uuid_ts": T0 + dt.timedelta(minutes=8)})
    expect.update({
        "copies": ("event", {"duplicate_row_count": 2}),
        "payloads": ("event", {"event_name": "Second", "duplicate_row_count": 1}),
        "two-tables": ("event", {"event_type": "page", "event_name": "As a page", "duplicate_row_count": 1}),
    })

    # Text, byte for byte.
    for name, text in TEXTS.items():
        tracks.append(_track(f"text-{name}", 4, anonymous_id=f"a-text-{name}", event_text=text))
        expect[f"text-{name}"] = ("event", {"event_name": text})

    # SDK session ids: zero, negative, short, 19 digits; start flags on several events or none.
    for name, session in {"zero": 0, "negative": -5, "short": 7, "nineteen": 1234567890123456789}.items():
        tracks.append(_track(f"sdk-{name}", 5, anonymous_id=f"a-sdk-{name}", context_session_id=session))
        expect[f"sdk-{name}"] = ("session", str(session))
    for i in range(3):
        tracks.append(_track(f"flags-many-{i}", 6 + i, anonymous_id="a-flags", context_session_id=42,
                             context_session_start=True))
        tracks.append(_track(f"flags-none-{i}", 6 + i, anonymous_id="a-flags", context_session_id=43,
                             context_session_start=None))
    # ... as text: kept byte for byte like an id; whitespace alone is no session id.
    for name, session in {"text": "abc", "text-padded": " 42 ", "text-zeros": "0042",
                          "text-21-digits": "123456789012345678901"}.items():
        pages.append(_page(f"sdk-{name}", "2026-03-01T12:05:00Z", context_session_id=session))
        expect[f"sdk-{name}"] = ("session", session)
    pages.append(_page("sdk-text-blank", "2026-03-01T12:05:00Z", context_session_id="\t "))
    expect["sdk-text-blank"] = ("event", {"sdk_session_id": None, "session_source": "derived"})
    # ... as floats: a whole number in 64 bits is the SDK's; any other value is none.
    screen = {"anonymous_id": "a-screens", "received_at": T0, "uuid_ts": T0, "channel": "mobile", "name": "Screen"}
    for number, (_, (session, wanted)) in enumerate({
        "whole": (1700000000000.0, "1700000000000"), "negative": (-3.0, "-3"),
        "past-64-bits": (1e20, None), "fraction": (1.5, None), "half": (2.5, None), "minus-half": (-0.5, None),
    }.items(), start=101):
        screens.append({**screen, "id": number, "timestamp": T0 + dt.timedelta(minutes=number - 100),
                        "context_session_id": session})
        expect[str(number)] = ("session", wanted) if wanted else ("event", {"sdk_session_id": None})

    # Times stored as text: ISO-8601 on a day that exists is read (its offset applied);
    # anything else is not a time, and the row is rejected for it, never the build.
    for name, text in {
        "blank": "", "typo": "2026-03-01T12:00:00ZZ", "february-30": "2026-02-30T12:00:00Z",
        "year-zero": "0000-01-01T00:00:00Z", "hour-24": "2026-03-01T24:00:00Z", "now": "now",
        "leading-space": " 2026-03-01T12:00:00Z", "nanoseconds": "2026-03-01T12:00:00.123456789Z",
        "offset-15-hours": "2026-03-01T12:00:00+15:00", "words": "March 1, 2026",
        "spaced-offset": "2026-03-01T12:00:00 +00:00", "offset-without-time": "2026-03-01Z",
        "lower-case-z": "2026-03-01T12:00:00z",
    }.items():
        pages.append(_page(f"time-{name}", text))
        expect[f"time-{name}"] = ("rejected", "invalid_timestamp")
    noon = dt.datetime(2026, 3, 1, 12)
    for name, (text, wanted) in {
        "microseconds": ("2026-03-01T12:00:00.123456Z", noon.replace(microsecond=123456)),
        "offset": ("2026-03-01 14:00:00+02:00", noon), "compact-offset": ("2026-03-01T06:30:00-0530", noon),
        "hours-offset": ("2026-03-01T14:00:00+02", noon),
        "minutes": ("2026-03-01T12:00", noon), "date": ("2026-03-01", noon.replace(hour=0)),
        "leap-day": ("2024-02-29T12:00:00Z", dt.datetime(2024, 2, 29, 12)),
        "text-far-past": ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1)),
        "text-far-future": ("9999-12-31T23:59:59.999999Z", dt.datetime(9999, 12, 31, 23, 59, 59, 999999)),
    }.items():
        pages.append(_page(f"time-{name}", text))
        expect[f"time-{name}"] = ("event", {"event_at": wanted})
    # A load time that is not a time: the row arrives as one without it would.
    pages.append(_page("arrival-unreadable", "2026-03-01T12:00:00Z", received_at="", uuid_ts="soon"))
    expect["arrival-unreadable"] = ("event", {"event_at": noon})

    # Far past and far future event times; arrival a year before the event.
    for name, at in {"far-past": dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
                     "far-future": dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc)}.items():
        tracks.append({**_track(f"time-{name}", anonymous_id=f"a-{name}"), "timestamp": at})
        expect[f"time-{name}"] = ("event", {"event_at": at.replace(tzinfo=None)})
    # Arrival far past, and none at all (both load columns NULL): read like any row.
    tracks.append(_track("arrival-far-past", anonymous_id="a-arrival-past",
                         received_at=dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
                         uuid_ts=dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)))
    tracks.append(_track("arrival-missing", anonymous_id="a-arrival-missing", received_at=None, uuid_ts=None))
    expect.update({"arrival-far-past": ("event", {"event_at": T0.replace(tzinfo=None)}),
                   "arrival-missing": ("event", {"event_at": T0.replace(tzinfo=None)})})
    tracks.append({**_track("arrival-before-event", anonymous_id="a-early"),
                   "timestamp": T0 + dt.timedelta(days=365)})
    expect["arrival-before-event"] = ("event", {"event_at": (T0 + dt.timedelta(days=365)).replace(tzinfo=None)})

    # An arrival time far ahead (a loader's clock): rejected, not left out of everything.
    far = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    tracks.append(_track("arrival-in-future", anonymous_id="a-future", uuid_ts=far, received_at=far))
    expect["arrival-in-future"] = ("rejected", "arrival_in_future")

    # Columns nobody listed are read past.
    tracks.append(_track("extra-columns", anonymous_id="a-extra", context_unexpected_text="x" * 1000,
                         context_unexpected_number=1e300))
    expect["extra-columns"] = ("event", {"event_name": "Viewed"})
    return {"tracks": tracks, "pages": pages, "screens": screens}, expect


def test_each_hostile_row_lands_where_the_rules_say(engine: str, workspace) -> None:
    raw, expect = catalogue()
    workspace.load_raw(raw, column_types=COLUMN_TYPES)
    workspace.build_on_raw()

    events = {r["event_id"]: r for r in workspace.query("select * from {schema}.fct_events")}
    rejected = [(r["rejection_reason"], r["event_id"], r["anonymous_id"])
                for r in workspace.query("select * from {internal}.state_rejected_rows")]
    # No id: nothing to key them by but the actor they carry.
    for actor in ("no-id", "blank-id", "whitespace-id"):
        assert ("missing_event_id", None, actor) in rejected, rejected
    for event_id, (kind, wanted) in expect.items():
        if kind == "rejected":
            assert [r for r in rejected if r[1] == event_id] == [(wanted, event_id, rejected_actor(raw, event_id))]
            assert event_id not in events
        elif kind == "event":
            got = {column: events[event_id][column] for column in wanted}
            assert got == wanted, (event_id, {c: str(v)[:80] for c, v in got.items()})
        else:
            event = events[event_id]
            assert (event_id, event["sdk_session_id"]) == (event_id, wanted)
            assert event["session_id"] == session_id_of("sdk", event["actor_id"], wanted)
    flags = {r["sdk_session_id"]: r["session_start_flag_count"]
             for r in workspace.query("select * from {schema}.fct_sessions where actor_id = 'a-flags'")}
    assert flags == {"42": 3, "43": 0}

    assert_conserved(workspace, sum(len(rows) for rows in raw.values()))
    assert_matches_reference(workspace, sessionize(raw))


def rejected_actor(raw: dict[str, list[dict]], event_id: str) -> str | None:
    row = next(r for rows in raw.values() for r in rows if str(r["id"]) == event_id)
    return _text(row.get("anonymous_id"))




def test_a_row_arriving_during_a_run_is_the_next_runs(engine: str, workspace) -> None:
    """Arrival after the run's start is the next run's, unless it is more than a day
    after (a wrong clock): that row is rejected, and read once its time has come."""
    # Rows stamped an hour ahead, and a year ahead.
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)
    workspace.load_raw({"tracks": [_track("now"), _track("soon", uuid_ts=soon, received_at=soon),
                                   _track("later", uuid_ts=later, received_at=later)]})
    workspace.build_on_raw()  # the conservation test counts "soon" as the next run's
    events = {r["event_id"] for r in workspace.query("select event_id from {schema}.fct_events")}
    rejected = {r["event_id"]: r["rejection_reason"]
                for r in workspace.query("select * from {internal}.state_rejected_rows")}
    assert (events, rejected) == ({"now"}, {"later": "arrival_in_future"})
    watermark = workspace.query("select max(watermark_at) as at from {internal}.state_runs")[0]["at"]
    assert watermark == T0.replace(tzinfo=None), "a row from the future moved the watermark"
