"""Generate realistic raw RudderStack tables at any scale, in bulk, inside DuckDB.

Writes what RudderStack's warehouse destination writes (tracks, pages, screens,
identifies, and order_completed, the orders' own table; see tools/rudderstack_tables.py) for web visitors (JavaScript SDK sessions:
13-digit millisecond ids, some with session tracking off), mobile users (10-digit second
ids, long idle gaps inside a session, whole sessions delivered days late), and
server-side users (user id only, no session), plus identify calls, redelivered
duplicates, rows that cannot be sessionized, and a few events whose gaps sit exactly on
the 30-minute timeout. Rows come out in load batches: uuid_ts is the next hour after
received_at.

Generation is vectorised SQL in DuckDB, in chunks of actors, so 100 million events run
in bounded memory; the same --seed gives the same rows whatever the chunking and target.

--append adds days to a schema generated before (duckdb, postgres): from the day after
its last event, the same actors coming back, with ids of their own, as a new day of
loads; then an incremental `dbt build` absorbs them.

Examples:
    python -m tools.generate --events 1000000     # into the duckdb target's database, schema rudderstack_raw
    python -m tools.generate --events 100000 --target postgres --schema rudderstack_raw
    python -m tools.generate --events 10000000 --days 31 --target parquet --path data/raw
    python -m tools.generate --events 3000 --days 7 --target csv --path seeds/rudderstack_demo
    python -m tools.generate --events 1000000 --days 1 --append   # one more day into rudderstack_raw
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from tools.rudderstack_tables import TABLES

EVENTS_PER_SESSION = 6.5  # mean of 1 + floor(u * 12)
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f+00"  # written in UTC (the session time zone is set to UTC)


@dataclass(frozen=True)
class Knobs:
    events: int = 100_000
    days: int = 30
    start: dt.date = dt.date(2026, 1, 1)
    actors: int | None = None  # default: events / 30
    web_share: float = 0.55
    mobile_share: float = 0.30  # server: the rest
    sessionless_web_share: float = 0.10  # web visitors with session tracking off
    duplicate_rate: float = 0.02
    late_rate: float = 0.02  # mobile sessions delivered 1-3 days late
    invalid_rate: float = 0.0005
    edge_cases: bool = True
    seed: int = 42
    # Rows appended to an earlier generation (--append): a label, the first day's date,
    # mixed into every id and every draw but the actors' own (who they are, their platform).
    batch: str = ""

    @property
    def actor_count(self) -> int:
        return max(1, self.actors or self.events // 30)

    @property
    def sessions_per_actor(self) -> float:
        return max(1.0, self.events / (self.actor_count * EVENTS_PER_SESSION))


# Draws that describe an actor, the same in every appended batch: the same people come back.
ACTOR_SALTS = {"platform", "sessionless", "identified", "user_type", "os", "ios", "locale", "js", "skew"}


def rnd(knobs: Knobs, salt: str, *keys: str) -> str:
    """SQL for a uniform draw in [0, 1), fixed by the seed, the salt, the batch and the keys."""
    if knobs.batch and salt not in ACTOR_SALTS:
        salt = f"{salt}@{knobs.batch}"
    return f"((hash({knobs.seed}, '{salt}', {', '.join(keys)}) % 1000003) / 1000003.0)"


def pick(draw: str, values: list[str]) -> str:
    """SQL choosing one of the SQL literals `values` by a uniform draw."""
    return f"([{', '.join(values)}])[1 + cast(floor({draw} * {len(values)}) as integer)]"


def events_sql(knobs: Knobs, first_actor: int, last_actor: int) -> str:
    """One row per event of actors [first_actor, last_actor), with every raw column."""
    start = f"timestamptz '{knobs.start.isoformat()} 00:00:00+00'"
    slot = knobs.days * 86_400 / knobs.sessions_per_actor  # seconds between an actor's sessions
    max_sessions = max(1, int(2 * knobs.sessions_per_actor - 1))
    return f"""
    with actors as (
        select
            a as actor_n,
            case
                when {rnd(knobs, 'platform', 'a')} < {knobs.web_share} then 'web'
                when {rnd(knobs, 'platform', 'a')} < {knobs.web_share + knobs.mobile_share} then 'mobile'
                else 'server'
            end as platform,
            {rnd(knobs, 'sessionless', 'a')} < {knobs.sessionless_web_share} as sessions_off,
            {rnd(knobs, 'identified', 'a')} < 0.35 as is_identified,
            {pick(rnd(knobs, 'user_type', 'a'), ["'buyer'", "'buyer'", "'seller'"])} as user_type,
            {pick(rnd(knobs, 'os', 'a'), ["'Mac OS'", "'Windows'", "'Android'", "'iOS'"])} as web_os,
            {rnd(knobs, 'ios', 'a')} < 0.5 as is_ios,
            {pick(rnd(knobs, 'locale', 'a'), ["'en-US'", "'en-US'", "'de-DE'", "'fr-FR'"])} as locale,
            {pick(rnd(knobs, 'js', 'a'), ["'3.11.2'", "'3.7.1'", "'1.1.21'"])} as js_version,
            (({rnd(knobs, 'skew', 'a')}) - 0.5) * 180 as skew_seconds,
            1 + cast(floor({rnd(knobs, 'sessions', 'a')} * {max_sessions}) as integer) as session_count,
            md5('{knobs.seed}-actor-' || a) as actor_hash
        from range({first_actor}, {last_actor}) as t(a)
    ),
    sessions as (
        select
            actors.*,
            unnest(range(session_count)) as session_n
        from actors
    ),
    sessions_timed as (
        select
            sessions.*,
            {start} + to_microseconds(cast(
                (session_n + 0.05 + 0.9 * {rnd(knobs, 'start', 'actor_n', 'session_n')})
                * {knobs.days * 86_400} / session_count * 1000000 as bigint)) as session_at,
            1 + cast(floor({rnd(knobs, 'length', 'actor_n', 'session_n')} * 12) as integer) as event_count,
            platform = 'mobile' and {rnd(knobs, 'late', 'actor_n', 'session_n')} < {knobs.late_rate} as is_late,
            {rnd(knobs, 'campaign', 'actor_n', 'session_n')} as campaign_draw,
            -- Where visits come from: as many direct as from search, fewer from social and other sites.
            {pick(rnd(knobs, 'referrer', 'actor_n', 'session_n'), ["'$direct'"] * 7
                + ["'https://www.google.com/'"] * 7 + ["'https://www.bing.com/'"]
                + ["'https://t.co/xyz'"] * 2 + ["'https://news.example.com/story'"] * 3)} as referrer,
            -- How far down the shop's funnel the visit goes (apps and the web; servers have no
            -- funnel): 0 none, then Product Viewed, Product Added, Checkout Started, Order Completed.
            case when platform = 'server' then 0 else {pick(rnd(knobs, 'funnel', 'actor_n', 'session_n'),
                ['0'] * 9 + ['1'] * 6 + ['2'] * 3 + ['3'] + ['4'])} end as funnel_depth,
            is_identified and session_n >= session_count / 2 as is_logged_in
        from sessions
    ),
    events as (
        select
            sessions_timed.*,
            unnest(range(event_count)) as event_n
        from sessions_timed
    ),
    gapped as (
        select
            events.*,
            case
                when event_n = 0 then 0
                -- Mobile: an idle app keeps its SDK session (expiry is checked on foreground).
                when platform = 'mobile' and {rnd(knobs, 'idle', 'actor_n', 'session_n', 'event_n')} < 0.05
                    then 720 + 1680 * {rnd(knobs, 'idle_len', 'actor_n', 'session_n', 'event_n')}
                when platform = 'server' then 30 + 690 * {rnd(knobs, 'gap', 'actor_n', 'session_n', 'event_n')}
                when platform = 'mobile' then 3 + 117 * {rnd(knobs, 'gap', 'actor_n', 'session_n', 'event_n')}
                else 5 + 595 * {rnd(knobs, 'gap', 'actor_n', 'session_n', 'event_n')}
            end as gap_seconds
        from events
    ),
    timed as (
        select
            gapped.*,
            session_at + to_microseconds(cast(1000000 * sum(gap_seconds) over (
                partition by actor_n, session_n order by event_n) as bigint)) as event_at,
            md5('{knobs.seed}{'@' + knobs.batch if knobs.batch else ''}-event-' || actor_n || '-' || session_n
                || '-' || event_n) as event_hash,
            {rnd(knobs, 'kind', 'actor_n', 'session_n', 'event_n')} as kind_draw,
            -- The funnel's steps are the visit's last events, in order, after its first.
            case when event_n >= event_count - least(funnel_depth, event_count - 1)
                then event_n - (event_count - least(funnel_depth, event_count - 1)) end as funnel_step,
            {rnd(knobs, 'latency', 'actor_n', 'session_n', 'event_n')} as latency_draw
        from gapped
    ),
    shaped as (
        select
            timed.*,
            case
                when platform = 'server' or funnel_step is not null then 'tracks'
                when event_n = 0 and platform = 'web' then 'pages'
                when event_n = 0 then 'tracks'
                when platform = 'web' and kind_draw < 0.45 then 'pages'
                when platform = 'mobile' and kind_draw < 0.55 then 'screens'
                else 'tracks'
            end as table_name,
            event_at + to_microseconds(cast(
                case when is_late then 86400 * (1 + 2 * latency_draw) else 0.04 + 2.5 * latency_draw end
                * 1000000 as bigint)) as received_at,
            case
                -- Visits land on the home page, a product, pricing or the blog; never in the cart.
                when event_n = 0 then {pick(rnd(knobs, 'landing', 'actor_n', 'session_n'), [
                    "['Home', '/', 'Acme: home']"] * 3 + ["['Pricing', '/pricing', 'Acme: pricing']"]
                    + ["['Product', '/products/rocket-skates', 'Rocket skates']"] * 2
                    + ["['Product', '/products/giant-magnet', 'Giant magnet']",
                       "['Blog', '/blog/anvils-101', 'Anvils 101']"] * 2)}
                when funnel_step <= 1 then {pick(rnd(knobs, 'product', 'actor_n', 'session_n'), [
                    "['Product', '/products/rocket-skates', 'Rocket skates']",
                    "['Product', '/products/giant-magnet', 'Giant magnet']"])}
                when funnel_step = 2 then ['Checkout', '/checkout', 'Checkout']
                when funnel_step = 3 then ['Order complete', '/checkout/complete', 'Thank you']
                else {pick(rnd(knobs, 'page', 'actor_n', 'session_n', 'event_n'), [
                    "['Home', '/', 'Acme: home']", "['Pricing', '/pricing', 'Acme: pricing']",
                    "['Product', '/products/rocket-skates', 'Rocket skates']",
                    "['Product', '/products/giant-magnet', 'Giant magnet']", "['Cart', '/cart', 'Your cart']",
                    "['Blog', '/blog/anvils-101', 'Anvils 101']"])}
            end as page
        from timed
    )
    select
        table_name,
        substr(event_hash, 1, 8) || '-' || substr(event_hash, 9, 4) || '-4' || substr(event_hash, 14, 3)
            || '-a' || substr(event_hash, 18, 3) || '-' || substr(event_hash, 21, 12) as id,
        case
            when platform = 'web' then 'web-' || substr(actor_hash, 1, 16)
            when platform = 'mobile' then upper(substr(actor_hash, 1, 8) || '-' || substr(actor_hash, 9, 4)
                || '-4' || substr(actor_hash, 14, 3) || '-A' || substr(actor_hash, 18, 3) || '-'
                || substr(actor_hash, 21, 12))
        end as anonymous_id,
        case
            when platform = 'server' or is_logged_in then 'user-' || substr(actor_hash, 17, 10)
        end as user_id,
        event_at as "timestamp",
        event_at + to_microseconds(cast(skew_seconds * 1000000 as bigint)) as original_timestamp,
        received_at + to_microseconds(cast(skew_seconds * 1000000 as bigint)) - interval 20 millisecond as sent_at,
        received_at,
        date_trunc('hour', received_at) + interval 1 hour as uuid_ts,
        platform as channel,
        case platform
            when 'web' then 'RudderLabs JavaScript SDK'
            when 'mobile' then case when is_ios then 'rudder-ios-library' else 'com.rudderstack.android.sdk.core' end
            else 'rudder-sdk-node'
        end as context_library_name,
        case platform
            when 'web' then js_version
            when 'mobile' then case when is_ios then '1.27.0' else '1.25.1' end
            else '2.1.4'
        end as context_library_version,
        case
            when platform = 'web' and not sessions_off
                then epoch_ms(session_at) - cast(240000 * {rnd(knobs, 'preload', 'actor_n', 'session_n')} as bigint)
            when platform = 'mobile' then cast(floor(epoch(session_at)) as bigint)
        end as context_session_id,
        case
            -- An old JavaScript SDK bug dropped the flag from some first events.
            when event_n = 0 and platform = 'mobile' then true
            when event_n = 0 and platform = 'web' and not sessions_off
                and {rnd(knobs, 'flag', 'actor_n', 'session_n')} >= 0.1 then true
        end as context_session_start,
        case platform
            when 'web' then web_os
            when 'mobile' then case when is_ios then 'iOS' else 'Android' end
        end as context_os_name,
        case when platform = 'mobile' then case when is_ios then 'ios' else 'android' end end
            as context_device_type,
        case when platform != 'server' then locale end as context_locale,
        case when is_logged_in then user_type end as context_traits_user_type,
        case platform
            when 'web' then {pick(rnd(knobs, 'ua', 'actor_n'), [
                "'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15'",
                "'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'",
                "'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36'",
                "'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'"])}
            when 'mobile' then case when is_ios then 'Acme/3.2.1 (iPhone; iOS 17.4; Scale/3.00)'
                else 'Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)' end
        end as context_user_agent,
        '198.51.' || (hash(actor_hash, 'ip1') % 256) || '.' || (hash(actor_hash, 'ip2') % 256) as context_ip,
        '198.51.' || (hash(actor_hash, 'ip1') % 256) || '.' || (hash(actor_hash, 'ip2') % 256) as context_request_ip,
        case when platform != 'server' then case locale
            when 'de-DE' then 'Europe/Berlin' when 'fr-FR' then 'Europe/Paris' else 'America/New_York' end end
            as context_timezone,
        case platform when 'web' then 1440 when 'mobile' then case when is_ios then 1179 else 1080 end end
            as context_screen_width,
        case platform when 'web' then 900 when 'mobile' then case when is_ios then 2556 else 2400 end end
            as context_screen_height,
        case platform when 'web' then 2 when 'mobile' then case when is_ios then 3 else 2.625 end end
            as context_screen_density,
        case when platform = 'mobile' then 'Acme Shop' end as context_app_name,
        case when platform = 'mobile' then '3.2.1' end as context_app_version,
        case when platform = 'mobile' then '321' end as context_app_build,
        case when platform = 'mobile' then 'com.acme.shop' end as context_app_namespace,
        case when platform = 'mobile' then substr(actor_hash, 5, 16) end as context_device_id,
        case when platform = 'mobile' then case when is_ios then 'Apple' else 'Google' end end
            as context_device_manufacturer,
        case when platform = 'mobile' then case when is_ios then 'iPhone15,4' else 'Pixel 8' end end
            as context_device_model,
        case when platform = 'mobile' then case when is_ios then 'iPhone' else 'shiba' end end
            as context_device_name,
        case when platform = 'mobile' then case when is_ios then '17.4.1' else '14' end end as context_os_version,
        case when platform = 'mobile' then {rnd(knobs, 'wifi', 'actor_n', 'session_n')} < 0.6 end
            as context_network_wifi,
        case when platform = 'mobile' then {pick(rnd(knobs, 'carrier', 'actor_n'), ["'T-Mobile'", "'Verizon'", "'Vodafone'"])} end
            as context_network_carrier,
        case platform when 'web' then '2Tq9bVb1FzJmxxhqCeI4NEuAcDY' when 'mobile' then '2Tq9cGqL1q2nQn5eU3Vx0mM6bWk'
            else '2Tq9dHz5kJ1wP8sYc7Lm2Xv9rQa' end as context_source_id,
        case platform when 'web' then 'Javascript' when 'mobile' then case when is_ios then 'iOS' else 'Android' end
            else 'Node' end as context_source_type,
        '2Tq9eKp3nR6tW1yZb4Hj8Cx5sVm' as context_destination_id,
        case when is_logged_in then 'user-' || substr(actor_hash, 17, 10) || '@example.com' end as context_traits_email,
        case when is_logged_in then 'Customer ' || substr(actor_hash, 27, 6) end as context_traits_name,
        case when is_logged_in then {pick(rnd(knobs, 'plan', 'actor_n'), ["'free'", "'free'", "'pro'"])} end
            as context_traits_plan,
        case when platform = 'web' then page[2] end as context_page_path,
        case when platform = 'web' then 'https://acme.example' || page[2] end as context_page_url,
        case when platform = 'web' then page[3] end as context_page_title,
        case when platform = 'web' then case when event_n = 0 then referrer else 'https://acme.example/' end end
            as context_page_referrer,
        case when platform = 'web' then case
            when event_n > 0 then 'acme.example'
            when referrer != '$direct' then split_part(referrer, '/', 3)
        end end as context_page_referring_domain,
        case when platform = 'web' and event_n = 0 and campaign_draw < 0.3
            then {pick('campaign_draw / 0.3', ["'google'", "'newsletter'", "'facebook'"])} end
            as context_campaign_source,
        case when platform = 'web' and event_n = 0 and campaign_draw < 0.3
            then {pick('campaign_draw / 0.3', ["'cpc'", "'email'", "'paid_social'"])} end
            as context_campaign_medium,
        case when platform = 'web' and event_n = 0 and campaign_draw < 0.3
            then {pick('campaign_draw / 0.3', ["'autumn_sale'", "'october_digest'", "'retargeting'"])} end
            as context_campaign_name,
        cast(null as varchar) as context_campaign_term,
        cast(null as varchar) as context_campaign_content,
        case
            when platform = 'server' then {pick('kind_draw', [
                "'Order Shipped'", "'Invoice Paid'", "'Subscription Renewed'", "'Refund Issued'"])}
            -- A shop's funnel, in order: each step only after the one before it, in the same visit.
            when funnel_step is not null
                then (['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'])[funnel_step + 1]
            when platform = 'mobile' and event_n = 0 then 'Application Opened'
            else {pick(rnd(knobs, 'track', 'actor_n', 'session_n', 'event_n'), [
                "'Products Searched'", "'Product List Viewed'", "'Promotion Viewed'"])}
        end as event_text,
        case when table_name = 'pages' then page[1]
            when table_name = 'screens' then {pick('kind_draw / 0.55', ["'Home'", "'Search'", "'Product'", "'Cart'"])}
        end as name,
        page[2] as path,
        'https://acme.example' || page[2] as url,
        page[3] as title,
        case when event_n = 0 then referrer else 'https://acme.example/' end as referrer,
        cast(null as varchar) as search,
        case when table_name = 'screens' then 'shop' end as category,
        case when is_logged_in then 'user-' || substr(actor_hash, 17, 10) || '@example.com' end as email,
        case when platform = 'web' then '' end as context_page_search,
        case when platform = 'web' then 'https://acme.example' || page[2] end as context_page_tab_url,
        case when platform = 'web' then referrer end as context_page_initial_referrer,
        case when platform = 'web' and referrer != '$direct' then split_part(referrer, '/', 3) end
            as context_page_initial_referring_domain,
        case when is_logged_in then 'Customer ' || substr(actor_hash, 27, 6) end as identify_name,
        case when is_logged_in then 'Acme ' || upper(substr(actor_hash, 1, 4)) end as company,
        actor_n,
        session_n,
        event_n,
        is_logged_in and session_n = cast(ceil(session_count / 2) as integer) and event_n = 0 as logs_in_here
    from shaped
    """


def edge_case_sql() -> str:
    """A server user whose gaps sit on the 30-minute timeout: equal stays, one microsecond over splits."""
    rows = []
    base = "timestamptz '2026-01-02 09:00:00+00'"
    for n, offset in enumerate(["0", "0", "1800000000", "3600000001"]):
        rows.append(
            f"select 'tracks' as table_name, 'edge-{n}' as id, null as anonymous_id, 'user-boundary' as user_id,"
            f" {base} + to_microseconds({offset}) as ts"
        )
    return " union all ".join(rows)


def chunk_sql(knobs: Knobs, with_edge_cases: bool) -> dict[str, str]:
    """Per kind of raw table, the SQL of one chunk's rows, over the temp table chunk_events
    (duplicates, invalid rows and edge cases included)."""
    dup = rnd(knobs, "dup", "actor_n", "session_n", "event_n")
    bad = rnd(knobs, "invalid", "actor_n", "session_n", "event_n")
    third = knobs.invalid_rate / 3
    redelivered = f"""
        select * exclude (redelivered_at) replace (
            redelivered_at as received_at,
            date_trunc('hour', redelivered_at) + interval 1 hour as uuid_ts
        )
        from (
            select
                *,
                received_at + to_microseconds(
                    cast(1000000 * (1 + 599 * {dup} / {max(knobs.duplicate_rate, 1e-9)}) as bigint)
                ) as redelivered_at
            from chunk_events
            where {dup} < {knobs.duplicate_rate}
        )
    """
    invalid = f"""
        select * replace (
            case when {bad} < {third} then null else id end as id,
            case when {bad} >= {third} and {bad} < {2 * third} then null else "timestamp" end as "timestamp",
            case when {bad} >= {2 * third} then null else anonymous_id end as anonymous_id,
            case when {bad} >= {2 * third} then null else user_id end as user_id
        )
        from chunk_events
        where {bad} < {knobs.invalid_rate}
    """
    edge = ""
    if with_edge_cases:
        edge = f"""
        union all by name
        select
            table_name, id, anonymous_id, user_id, ts as "timestamp", ts as original_timestamp,
            ts as sent_at, ts + interval 1 second as received_at,
            date_trunc('hour', ts) + interval 1 hour as uuid_ts, 'server' as channel,
            'rudder-sdk-node' as context_library_name, '2.1.4' as context_library_version,
            'Invoice Paid' as event_text, 'invoice_paid' as event
        from ({edge_case_sql()})
        """
    activity = f"""
        select *, lower(replace(event_text, ' ', '_')) as event
        from (
            select * from chunk_events where table_name != 'identifies'
            union all select * from ({redelivered})
            union all select * from ({invalid})
        )
        {edge}
    """
    identifies = """
        select
            * replace (
                'identifies' as table_name, 'idf-' || substr(id, 5) as id, null as context_session_start,
                identify_name as name
            ),
            context_traits_plan as plan
        from chunk_events
        where logs_in_here and channel != 'server'
    """
    # Every delivery of an Order Completed track lands in its own table too, with the order's
    # properties (a pure function of the event id, so redeliveries agree): a value from
    # 5.00 to 404.99, in euros where the shopper's locale is French or German.
    order_completed = """
        select
            * replace ('order_completed' as table_name),
            'order-' || substr(md5(id), 1, 12) as order_id,
            cast(500 + cast(('0x' || substr(md5(id), 13, 6)) as integer) % 40000 as decimal(18, 2)) / 100
                as revenue,
            case when context_locale in ('fr-FR', 'de-DE') then 'EUR' else 'USD' end as currency
        from chunk_activity
        where table_name = 'tracks' and event_text = 'Order Completed'
    """
    return {"activity": activity, "identifies": identifies, "order_completed": order_completed}


def select_table(table: str, source: str) -> str:
    columns = ", ".join(
        f'cast("{name}" as {"timestamptz" if sql_type == "timestamptz" else sql_type}) as "{name}"'
        for name, sql_type in TABLES[table]
    )
    where = "" if table == "identifies" else f" where table_name = '{table}'"
    return f"select {columns} from {source}{where}"


class Progress:
    """A progress bar on stderr: chunks done, rows written, elapsed and remaining time."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.started, self.rows = total, label, time.monotonic(), 0

    def update(self, done: int, rows: int) -> None:
        self.rows += rows
        elapsed = time.monotonic() - self.started
        remaining = elapsed / done * (self.total - done) if done else 0.0
        width = 30
        filled = int(width * done / self.total)
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} chunks,"
            f" {self.rows:,} rows, {elapsed:5.1f}s elapsed, ~{remaining:5.1f}s left"
        )
        if done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def chunks(knobs: Knobs, events_per_chunk: int) -> Iterator[tuple[int, int]]:
    actors_per_chunk = max(1, int(events_per_chunk / (knobs.sessions_per_actor * EVENTS_PER_SESSION)))
    for first in range(0, knobs.actor_count, actors_per_chunk):
        yield first, min(knobs.actor_count, first + actors_per_chunk)


def generate(knobs: Knobs, writer: Writer, events_per_chunk: int = 2_000_000, quiet: bool = False) -> dict[str, int]:
    """Generate every chunk into an in-memory DuckDB and hand each raw table to the writer."""
    spans = list(chunks(knobs, events_per_chunk))
    progress = Progress(len(spans), "generating") if not quiet else None
    counts = {table: 0 for table in TABLES}
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = false")
        connection.execute("set TimeZone = 'UTC'")
        for done, (first, last) in enumerate(spans, start=1):
            connection.execute(f"create or replace temp table chunk_events as {events_sql(knobs, first, last)}")
            # The boundary events are on a fixed day: once, in the first generation.
            parts = chunk_sql(knobs, with_edge_cases=knobs.edge_cases and first == 0 and not knobs.batch)
            connection.execute(f"create or replace temp table chunk_activity as {parts['activity']}")
            connection.execute(f"create or replace temp table chunk_identifies as {parts['identifies']}")
            connection.execute(f"create or replace temp table chunk_order_completed as {parts['order_completed']}")
            written = 0
            for table in TABLES:
                source = f"chunk_{table}" if table in ("identifies", "order_completed") else "chunk_activity"
                # Rows in arrival order, as loads append them.
                sql = f"{select_table(table, source)} order by received_at nulls first, id"
                rows = writer.write(connection, table, sql, done - 1)
                counts[table] += rows
                written += rows
            if progress:
                progress.update(done, written)
    writer.close()
    return counts


class Writer:
    """Where generated tables go. write() returns the number of rows written."""

    def write(self, connection: duckdb.DuckDBPyConnection, table: str, sql: str, chunk: int) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


class DuckDBWriter(Writer):
    def __init__(self, database: Path, schema: str, append: bool = False) -> None:
        self.database, self.schema, self.append = database, schema, append
        self.attached = False

    def last_event_day(self) -> dt.date | None:
        """The day of the latest event in the schema's activity tables; None without them."""
        if not self.database.exists():
            return None
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return _last_event_day(connection.execute, self.schema)

    def write(self, connection: duckdb.DuckDBPyConnection, table: str, sql: str, chunk: int) -> int:
        if not self.attached:
            connection.execute(f"attach '{self.database}' as target")
            if not self.append:
                connection.execute(f'drop schema if exists target."{self.schema}" cascade')
                connection.execute(f'create schema target."{self.schema}"')
            self.attached = True
        target = f'target."{self.schema}"."{table}"'
        # Appending to a schema generated before a table was added (order_completed): create it.
        exists = connection.execute(
            "select count(*) from duckdb_tables() where database_name = 'target' and schema_name = ?"
            " and table_name = ?", [self.schema, table]).fetchone()[0]
        if chunk == 0 and not (self.append and exists):
            connection.execute(f"create table {target} as {sql}")
        else:
            connection.execute(f"insert into {target} by name {sql}")
        return connection.execute(f"select count(*) from ({sql})").fetchone()[0]

    def close(self) -> None:
        pass


class FileWriter(Writer):
    """Parquet: <path>/<table>/part-NNNNN.parquet. CSV: <path>/<table>.csv (one file, empty = NULL)."""

    def __init__(self, path: Path, file_format: str) -> None:
        self.path, self.format = path, file_format
        self.csv_parts: dict[str, list[Path]] = {}
        self.tmp = tempfile.TemporaryDirectory()
        path.mkdir(parents=True, exist_ok=True)

    def write(self, connection: duckdb.DuckDBPyConnection, table: str, sql: str, chunk: int) -> int:
        if self.format == "parquet":
            folder = self.path / table
            if chunk == 0 and folder.exists():
                for old in folder.glob("*.parquet"):
                    old.unlink()
            folder.mkdir(exist_ok=True)
            target = folder / f"part-{chunk:05d}.parquet"
            connection.execute(f"copy ({sql}) to '{target}' (format parquet)")
        else:
            target = Path(self.tmp.name) / f"{table}-{chunk:05d}.csv"
            connection.execute(f"copy ({sql}) to '{target}' (header true, timestampformat '{CSV_TIME_FORMAT}')")
            self.csv_parts.setdefault(table, []).append(target)
        return connection.execute(f"select count(*) from ({sql})").fetchone()[0]

    def close(self) -> None:
        for table, parts in self.csv_parts.items():
            with (self.path / f"{table}.csv").open("w") as out:
                for index, part in enumerate(parts):
                    lines = part.read_text().splitlines(keepends=True)
                    out.writelines(lines if index == 0 else lines[1:])
        self.tmp.cleanup()


class PostgresWriter(Writer):
    """Bulk COPY of each chunk's CSV export into PostgreSQL (connection from DBT_POSTGRES_*)."""

    def __init__(self, connection_kwargs: dict[str, Any], schema: str, append: bool = False) -> None:
        import psycopg2

        self.connection = psycopg2.connect(**connection_kwargs)
        self.schema = schema
        self.tmp = tempfile.TemporaryDirectory()
        with self.connection, self.connection.cursor() as cursor:
            if not append:
                cursor.execute(f'drop schema if exists "{schema}" cascade')
                cursor.execute(f'create schema "{schema}"')
            # Appending to a schema generated before a table was added (order_completed): create it.
            for table, columns in TABLES.items():
                body = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
                cursor.execute(f'create table if not exists "{schema}"."{table}" ({body})')

    def last_event_day(self) -> dt.date | None:
        """The day of the latest event in the schema's activity tables; None without them."""
        with self.connection, self.connection.cursor() as cursor:
            def run(sql: str) -> Any:
                cursor.execute(sql)
                return cursor
            return _last_event_day(run, self.schema)

    def write(self, connection: duckdb.DuckDBPyConnection, table: str, sql: str, chunk: int) -> int:
        target = Path(self.tmp.name) / f"{table}.csv"
        connection.execute(f"copy ({sql}) to '{target}' (header true, nullstr '\\N')")
        names = ", ".join(f'"{name}"' for name, _ in TABLES[table])
        with self.connection, self.connection.cursor() as cursor, target.open() as handle:
            cursor.copy_expert(
                f'copy "{self.schema}"."{table}" ({names}) from stdin with (format csv, header true, null \'\\N\')',
                handle,
            )
        return connection.execute(f"select count(*) from ({sql})").fetchone()[0]

    def close(self) -> None:
        with self.connection, self.connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f'analyze "{self.schema}"."{table}"')  # as autovacuum would, soon after a load
        self.connection.close()
        self.tmp.cleanup()


def _last_event_day(run: Any, schema: str) -> dt.date | None:
    """max(timestamp) over the activity tables of `schema` that exist, as a UTC day."""
    found = run(f"select table_name from information_schema.tables where table_schema = '{schema}'"
                " and table_catalog = current_database() and table_name in ('tracks', 'pages', 'screens')").fetchall()
    if not found:
        return None
    union = " union all ".join(f'select max("timestamp") as latest_at from "{schema}"."{name}"' for (name,) in found)
    [(latest,)] = run(f"select max(latest_at) from ({union}) as latest").fetchall()
    if latest is None:
        return None
    return (latest.astimezone(dt.timezone.utc) if latest.tzinfo else latest).date()


def postgres_kwargs_from_env() -> dict[str, Any]:
    env = os.environ
    return {
        "host": env.get("DBT_POSTGRES_HOST", "localhost"),
        "port": int(env.get("DBT_POSTGRES_PORT", "5432")),
        "user": env.get("DBT_POSTGRES_USER", "postgres"),
        "password": env.get("DBT_ENV_SECRET_POSTGRES_PASSWORD", ""),
        "dbname": env.get("DBT_POSTGRES_DATABASE", "postgres"),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate",
        description=__doc__.split("Examples:")[0],
        epilog="Examples:" + __doc__.split("Examples:")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    defaults = Knobs()
    parser.add_argument("--events", type=int, default=defaults.events, help="approximate events (default: %(default)s)")
    parser.add_argument("--days", type=int, default=defaults.days, help="days of activity (default: %(default)s)")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=None,
                        help=f"first day, YYYY-MM-DD (default: {defaults.start}; with --append, the day after"
                             " the schema's last event)")
    parser.add_argument("--actors", type=int, default=None, help="actors (default: events / 30)")
    parser.add_argument("--web-share", type=float, default=defaults.web_share,
                        help="share of actors on the web SDK (default: %(default)s)")
    parser.add_argument("--mobile-share", type=float, default=defaults.mobile_share,
                        help="share on mobile SDKs; the rest are server-side (default: %(default)s)")
    parser.add_argument("--sessionless-web-share", type=float, default=defaults.sessionless_web_share,
                        help="share of web visitors with session tracking off (default: %(default)s)")
    parser.add_argument("--duplicate-rate", type=float, default=defaults.duplicate_rate,
                        help="share of events delivered twice (default: %(default)s)")
    parser.add_argument("--late-rate", type=float, default=defaults.late_rate,
                        help="share of mobile sessions delivered 1-3 days late (default: %(default)s)")
    parser.add_argument("--invalid-rate", type=float, default=defaults.invalid_rate,
                        help="share of extra rows without id, timestamp or actor (default: %(default)s)")
    parser.add_argument("--no-edge-cases", action="store_true", help="leave out the timeout-boundary events")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default: %(default)s)")
    parser.add_argument("--target", choices=["duckdb", "postgres", "parquet", "csv"], default="duckdb",
                        help="where to write (default: %(default)s)")
    # The duckdb target's file (profiles/profiles.yml: DBT_DUCKDB_PATH, else this name).
    target_database = Path(os.environ.get("DBT_DUCKDB_PATH", "rudderstack_sessions.duckdb"))
    parser.add_argument("--database", type=Path, default=target_database,
                        help="duckdb: the database file (default: the duckdb target's, so `dbt build --vars"
                             " '{rudderstack_schema: rudderstack_raw}'` reads it: %(default)s)")
    parser.add_argument("--schema", default="rudderstack_raw",
                        help="duckdb, postgres: the schema, recreated (default: %(default)s); postgres connects"
                             " with the DBT_POSTGRES_* variables of profiles/profiles.yml")
    parser.add_argument("--path", type=Path, default=Path("rudderstack_raw"),
                        help="parquet, csv: the output directory (default: %(default)s)")
    parser.add_argument("--chunk-events", type=int, default=2_000_000,
                        help="events generated per chunk; bounds memory (default: %(default)s)")
    parser.add_argument("--append", action="store_true",
                        help="duckdb, postgres: add --days days of events to the schema instead of recreating it")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.append and args.target not in ("duckdb", "postgres"):
        parser.error(f"--append adds rows to a database schema: --target duckdb or postgres, not {args.target}")
    args.error = parser.error
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    writer: DuckDBWriter | PostgresWriter | FileWriter
    if args.target == "duckdb":
        writer = DuckDBWriter(args.database, args.schema, args.append)
    elif args.target == "postgres":
        writer = PostgresWriter(postgres_kwargs_from_env(), args.schema, args.append)
    else:
        writer = FileWriter(args.path, args.target)
    start, batch = args.start or Knobs.start, ""
    if args.append:
        assert not isinstance(writer, FileWriter)
        last = writer.last_event_day()
        where = f"schema {args.schema}" + (f" of {args.database}" if args.target == "duckdb" else "")
        if last is None:
            args.error(f"--append: {where} holds no generated events; generate them first, without --append:"
                       f" python -m tools.generate --target {args.target} --schema {args.schema}")
        if args.start is not None and args.start <= last:
            args.error(f"--append: {where} already holds events up to {last}; --start must come after it"
                       " (leave it out for the next day)")
        start = args.start or last + dt.timedelta(days=1)
        batch = start.isoformat()
    knobs = Knobs(
        events=args.events, days=args.days, start=start, actors=args.actors, web_share=args.web_share,
        mobile_share=args.mobile_share, sessionless_web_share=args.sessionless_web_share,
        duplicate_rate=args.duplicate_rate, late_rate=args.late_rate, invalid_rate=args.invalid_rate,
        edge_cases=not args.no_edge_cases, seed=args.seed, batch=batch,
    )
    counts = generate(knobs, writer, args.chunk_events, args.quiet)
    print(", ".join(f"{table} {count:,}" for table, count in counts.items()))


if __name__ == "__main__":
    main()
