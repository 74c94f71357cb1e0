"""Generate the demo RudderStack tables shipped as dbt seeds (seeds/rudderstack_demo).

A small, realistic sample of what RudderStack's warehouse destination writes: web
visitors with JavaScript SDK sessions (13-digit millisecond ids, sliding 30-minute
expiry), mobile users with 10-digit second ids (5-minute expiry checked on foreground,
so long idle gaps stay in one session), server-side events with a user id and no
session, identify calls, redelivered duplicates, a mobile batch delivered days late,
and a few rows that cannot be sessionized.

    python -m tools.generate_demo --help
    python -m tools.generate_demo --seed 7 --out seeds/rudderstack_demo

The same seed always writes the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.load import write_csv
from tools.rudderstack_tables import TABLES, column_names

UTC = dt.timezone.utc
START = dt.datetime(2026, 10, 5, tzinfo=UTC)
WEB_TIMEOUT = dt.timedelta(minutes=30)
MOBILE_TIMEOUT = dt.timedelta(minutes=5)

PAGES = [
    ("Home", "/", "Acme: home"),
    ("Pricing", "/pricing", "Acme: pricing"),
    ("Product", "/products/rocket-skates", "Rocket skates"),
    ("Product", "/products/giant-magnet", "Giant magnet"),
    ("Cart", "/cart", "Your cart"),
    ("Checkout", "/checkout", "Checkout"),
    ("Blog", "/blog/anvils-101", "Anvils 101"),
]
REFERRERS = [
    ("$direct", None),
    ("https://www.google.com/", "www.google.com"),
    ("https://www.bing.com/", "www.bing.com"),
    ("https://t.co/xyz", "t.co"),
    ("https://news.example.com/story", "news.example.com"),
]
CAMPAIGNS = [
    ("google", "cpc", "autumn_sale"),
    ("newsletter", "email", "october_digest"),
    ("facebook", "paid_social", "retargeting"),
]
SHOP_TRACKS = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"]
MOBILE_SCREENS = ["Home", "Search", "Product", "Cart", "Checkout"]
SERVER_TRACKS = ["Order Shipped", "Invoice Paid", "Subscription Renewed", "Refund Issued"]


@dataclass
class Generator:
    """Accumulates raw rows per table; every random draw comes from one seeded source."""

    rng: random.Random
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def emit(
        self,
        table: str,
        at: dt.datetime,
        *,
        anonymous_id: str | None,
        user_id: str | None,
        channel: str,
        library: tuple[str, str],
        session_id: int | None = None,
        session_start: bool = False,
        delivery_delay: dt.timedelta | None = None,
        **columns: Any,
    ) -> dict[str, Any]:
        """One event as the destination stores it; `at` is the corrected event time."""
        skew = dt.timedelta(seconds=self.rng.uniform(-90, 90))
        latency = delivery_delay or dt.timedelta(milliseconds=self.rng.randint(40, 2500))
        received_at = at + latency
        row: dict[str, Any] = {
            "id": self.new_id(),
            "anonymous_id": anonymous_id,
            "user_id": user_id,
            "timestamp": at,
            "original_timestamp": at + skew,
            "sent_at": at + skew + latency - dt.timedelta(milliseconds=20),
            "received_at": received_at,
            "uuid_ts": received_at + dt.timedelta(minutes=self.rng.randint(1, 30)),
            "channel": channel,
            "context_library_name": library[0],
            "context_library_version": library[1],
            "context_session_id": session_id,
            "context_session_start": True if session_start else None,
            **columns,
        }
        self.rows[table].append(row)
        return row


@dataclass
class WebSession:
    """The JavaScript SDK's sliding session: a new id once a call comes after expiry."""

    session_id: int | None = None
    expires_at: dt.datetime | None = None

    def touch(self, at: dt.datetime, created_at: dt.datetime) -> tuple[int, bool]:
        is_new = self.expires_at is None or at > self.expires_at
        if is_new:
            self.session_id = int(created_at.timestamp() * 1000)
        self.expires_at = at + WEB_TIMEOUT
        assert self.session_id is not None
        return self.session_id, is_new


def web_visitor(gen: Generator, index: int, tracks_sessions: bool) -> None:
    rng = gen.rng
    anonymous_id = f"web-{index:04d}-{gen.new_id()[:8]}"
    library = ("RudderLabs JavaScript SDK", rng.choice(["3.11.2", "3.7.1", "1.1.21"]))
    user_id: str | None = None
    user_type: str | None = None
    session = WebSession()
    context = {
        "context_os_name": rng.choice(["Mac OS", "Windows", "Android", "iOS"]),
        "context_device_type": None,
        "context_locale": rng.choice(["en-US", "de-DE", "fr-FR"]),
    }
    at = START + dt.timedelta(hours=rng.uniform(0, 24 * 6))
    for _visit in range(rng.randint(1, 4)):
        referrer, domain = rng.choice(REFERRERS)
        campaign = rng.choice(CAMPAIGNS) if rng.random() < 0.3 else (None, None, None)
        page_load = at - dt.timedelta(seconds=rng.uniform(0, 240))
        for step in range(rng.randint(1, 9)):
            if step and rng.random() < 0.08:
                at += dt.timedelta(minutes=rng.uniform(31, 50))  # idle past the timeout
            elif step:
                at += dt.timedelta(seconds=rng.uniform(5, 600))
            if tracks_sessions:
                session_id, is_new = session.touch(at, page_load if step == 0 else at)
                # An old JavaScript SDK bug dropped the start flag from some first events.
                flag = is_new and rng.random() > 0.1
            else:
                session_id, flag = None, False
            name, path, title = PAGES[0] if step == 0 and rng.random() < 0.5 else rng.choice(PAGES)
            page_context = {
                "context_page_path": path,
                "context_page_url": f"https://acme.example{path}",
                "context_page_title": title,
                "context_page_referrer": referrer if step == 0 else f"https://acme.example{path}",
                "context_page_referring_domain": domain if step == 0 else "acme.example",
                "context_campaign_source": campaign[0] if step == 0 else None,
                "context_campaign_medium": campaign[1] if step == 0 else None,
                "context_campaign_name": campaign[2] if step == 0 else None,
                "context_traits_user_type": user_type,
            }
            common = dict(
                anonymous_id=anonymous_id,
                user_id=user_id,
                channel="web",
                library=library,
                session_id=session_id,
                **context,
                **page_context,
            )
            if step == 0 or rng.random() < 0.55:
                gen.emit(
                    "pages", at, session_start=flag, name=name, path=path,
                    url=f"https://acme.example{path}", title=title,
                    referrer=page_context["context_page_referrer"], **common,
                )
                flag = False
                at += dt.timedelta(seconds=rng.uniform(1, 20))
            if user_id is None and rng.random() < 0.12:
                user_id = f"user-{index:04d}"
                user_type = rng.choice(["buyer", "buyer", "seller"])
                common.update(user_id=user_id, context_traits_user_type=user_type)
                gen.emit("identifies", at, session_start=flag, email=f"{user_id}@example.com", **common)
                flag = False
            if rng.random() < 0.6:
                event = SHOP_TRACKS[min(step // 2, len(SHOP_TRACKS) - 1)]
                gen.emit(
                    "tracks", at + dt.timedelta(seconds=rng.uniform(0, 5)), session_start=flag,
                    event=event.lower().replace(" ", "_"), event_text=event, **common,
                )
        at += dt.timedelta(hours=rng.uniform(2, 40))


def mobile_user(gen: Generator, index: int, deliver_late: bool) -> None:
    rng = gen.rng
    anonymous_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
    is_ios = rng.random() < 0.5
    library = ("rudder-ios-library", "1.27.0") if is_ios else ("com.rudderstack.android.sdk.core", "1.25.1")
    user_id = f"user-m{index:03d}" if rng.random() < 0.5 else None
    user_type = rng.choice(["buyer", "seller"]) if user_id else None
    context = dict(
        anonymous_id=anonymous_id,
        user_id=user_id,
        channel="mobile",
        library=library,
        context_os_name="iOS" if is_ios else "Android",
        context_device_type="ios" if is_ios else "android",
        context_locale="en-US",
        context_traits_user_type=user_type,
    )
    at = START + dt.timedelta(hours=rng.uniform(0, 24 * 6))
    sessions = rng.randint(1, 5)
    for number in range(sessions):
        session_id = int(at.timestamp())
        late = dt.timedelta(days=2, hours=rng.uniform(0, 20)) if deliver_late and number == sessions - 1 else None
        first = "Application Installed" if number == 0 and rng.random() < 0.3 else "Application Opened"
        gen.emit("tracks", at, session_id=session_id, session_start=True, delivery_delay=late,
                 event=first.lower().replace(" ", "_"), event_text=first, **context)
        for _ in range(rng.randint(1, 8)):
            # Expiry is checked on foreground only: an idle app keeps its session.
            idle = dt.timedelta(minutes=rng.uniform(12, 40)) if rng.random() < 0.07 else None
            at += idle or dt.timedelta(seconds=rng.uniform(3, 120))
            if rng.random() < 0.6:
                gen.emit("screens", at, session_id=session_id, delivery_delay=late,
                         name=rng.choice(MOBILE_SCREENS), **context)
            else:
                event = rng.choice(SHOP_TRACKS)
                gen.emit("tracks", at, session_id=session_id, delivery_delay=late,
                         event=event.lower().replace(" ", "_"), event_text=event, **context)
        at += MOBILE_TIMEOUT + dt.timedelta(hours=rng.uniform(1, 30))


def server_user(gen: Generator, index: int) -> None:
    rng = gen.rng
    library = rng.choice([("rudder-sdk-node", "2.1.4"), ("rudder-sdk-python", "2.1.0")])
    user_id = f"user-{index:04d}"
    at = START + dt.timedelta(hours=rng.uniform(0, 24 * 6))
    for _burst in range(rng.randint(1, 4)):
        for _ in range(rng.randint(1, 5)):
            event = rng.choice(SERVER_TRACKS)
            gen.emit("tracks", at, anonymous_id=None, user_id=user_id, channel="server",
                     library=library, event=event.lower().replace(" ", "_"), event_text=event)
            at += dt.timedelta(minutes=rng.uniform(0.5, 12))
        at += dt.timedelta(hours=rng.uniform(1, 48))


def boundary_cases(gen: Generator) -> None:
    """Server events whose gaps sit on the 30-minute timeout: equal stays, 1 µs over splits."""
    at = START + dt.timedelta(days=2, hours=9)
    common = dict(anonymous_id=None, user_id="user-boundary", channel="server",
                  library=("rudder-sdk-node", "2.1.4"), event="invoice_paid", event_text="Invoice Paid")
    for gap in (dt.timedelta(0), WEB_TIMEOUT, WEB_TIMEOUT + dt.timedelta(microseconds=1), dt.timedelta(0)):
        at += gap
        gen.emit("tracks", at, **common)


def redeliver(gen: Generator, share: float) -> None:
    """At-least-once delivery: copy some rows, received and loaded again later."""
    rng = gen.rng
    for table in ("tracks", "pages", "screens", "identifies"):
        for row in list(gen.rows[table]):
            if rng.random() < share:
                again = dict(row)
                again["received_at"] = row["received_at"] + dt.timedelta(seconds=rng.uniform(1, 600))
                again["uuid_ts"] = again["received_at"] + dt.timedelta(minutes=rng.randint(1, 30))
                gen.rows[table].append(again)


def invalid_rows(gen: Generator) -> None:
    """Rows that cannot be sessionized: they must land in int_events_rejected."""
    at = START + dt.timedelta(days=1)
    base = dict(channel="server", library=("rudder-sdk-node", "2.1.4"), event="ping", event_text="Ping")
    for _ in range(3):
        gen.emit("tracks", at, anonymous_id=None, user_id="user-9001", **base)["id"] = None
    for _ in range(2):
        gen.emit("tracks", at, anonymous_id="web-9002", user_id=None, **base)["timestamp"] = None
    gen.emit("tracks", at, anonymous_id=None, user_id=None, **base)
    gen.emit("pages", at, anonymous_id="", user_id=None, channel="web",
             library=("RudderLabs JavaScript SDK", "3.11.2"), name="Home", path="/")


def generate(seed: int) -> dict[str, list[dict[str, Any]]]:
    gen = Generator(random.Random(seed))
    for index in range(120):
        web_visitor(gen, index, tracks_sessions=index % 10 != 0)
    for index in range(50):
        mobile_user(gen, index, deliver_late=index % 12 == 0)
    for index in range(200, 225):
        server_user(gen, index)
    boundary_cases(gen)
    redeliver(gen, share=0.03)
    invalid_rows(gen)
    for table_rows in gen.rows.values():
        table_rows.sort(key=lambda r: (r["received_at"], r["id"] or ""))
    return gen.rows


def write_seeds(rows: dict[str, list[dict[str, Any]]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for table, table_rows in rows.items():
        with (out / f"{table}.csv").open("w", newline="") as handle:
            write_csv(handle, column_names(table), table_rows, null="")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate_demo",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    parser.add_argument("--out", type=Path, default=Path("seeds/rudderstack_demo"),
                        help="directory for the CSV seeds (default: seeds/rudderstack_demo)")
    args = parser.parse_args(argv)
    rows = generate(args.seed)
    write_seeds(rows, args.out)
    counts = ", ".join(f"{table} {len(r)}" for table, r in rows.items())
    print(f"wrote {args.out}: {counts}")


if __name__ == "__main__":
    main()
