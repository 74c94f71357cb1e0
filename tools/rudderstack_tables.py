"""The raw RudderStack warehouse tables as the destination writes them (Postgres types).

One definition used by the demo-data generator, the test loaders and the benchmark,
so generated fixtures always look like what RudderStack lands in a warehouse.
"""

from __future__ import annotations

from typing import Final

Column = tuple[str, str]

STANDARD_COLUMNS: Final[list[Column]] = [
    ("id", "text"),
    ("anonymous_id", "text"),
    ("user_id", "text"),
    ("timestamp", "timestamptz"),
    ("original_timestamp", "timestamptz"),
    ("sent_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("uuid_ts", "timestamptz"),
    ("channel", "text"),
    ("context_library_name", "text"),
    ("context_library_version", "text"),
    ("context_session_id", "bigint"),
    ("context_session_start", "boolean"),
    ("context_os_name", "text"),
    ("context_device_type", "text"),
    ("context_locale", "text"),
    ("context_traits_user_type", "text"),
    # The rest of the context the SDKs attach to every call: what makes a real workspace's
    # tables about 50 columns wide (the project stages none of them, but reads past them).
    ("context_user_agent", "text"),
    ("context_ip", "text"),
    ("context_request_ip", "text"),
    ("context_timezone", "text"),
    ("context_screen_width", "bigint"),
    ("context_screen_height", "bigint"),
    ("context_screen_density", "numeric"),
    ("context_app_name", "text"),
    ("context_app_version", "text"),
    ("context_app_build", "text"),
    ("context_app_namespace", "text"),
    ("context_device_id", "text"),
    ("context_device_manufacturer", "text"),
    ("context_device_model", "text"),
    ("context_device_name", "text"),
    ("context_os_version", "text"),
    ("context_network_wifi", "boolean"),
    ("context_network_carrier", "text"),
    ("context_source_id", "text"),
    ("context_source_type", "text"),
    ("context_destination_id", "text"),
    ("context_traits_email", "text"),
    ("context_traits_name", "text"),
    ("context_traits_plan", "text"),
]

WEB_CONTEXT_COLUMNS: Final[list[Column]] = [
    ("context_page_path", "text"),
    ("context_page_url", "text"),
    ("context_page_title", "text"),
    ("context_page_referrer", "text"),
    ("context_page_referring_domain", "text"),
    ("context_campaign_source", "text"),
    ("context_campaign_medium", "text"),
    ("context_campaign_name", "text"),
    ("context_campaign_term", "text"),
    ("context_campaign_content", "text"),
    ("context_page_search", "text"),
    ("context_page_tab_url", "text"),
    ("context_page_initial_referrer", "text"),
    ("context_page_initial_referring_domain", "text"),
]

TABLES: Final[dict[str, list[Column]]] = {
    "tracks": STANDARD_COLUMNS + WEB_CONTEXT_COLUMNS + [("event", "text"), ("event_text", "text")],
    "pages": STANDARD_COLUMNS
    + WEB_CONTEXT_COLUMNS
    + [
        ("name", "text"),
        ("path", "text"),
        ("url", "text"),
        ("title", "text"),
        ("referrer", "text"),
        ("search", "text"),
        ("category", "text"),
    ],
    "screens": STANDARD_COLUMNS + [("name", "text"), ("category", "text")],
    "identifies": STANDARD_COLUMNS
    + WEB_CONTEXT_COLUMNS
    + [("email", "text"), ("name", "text"), ("plan", "text"), ("company", "text")],
    # A track's own table (one per event name; columns_of below): the demo shop's orders, every
    # column of `tracks` and the properties of RudderStack's e-commerce spec the project reads.
    "order_completed": STANDARD_COLUMNS
    + WEB_CONTEXT_COLUMNS
    + [("event", "text"), ("event_text", "text"), ("order_id", "text"), ("revenue", "numeric"), ("currency", "text")],
}

ACTIVITY_TABLES: Final[tuple[str, ...]] = ("tracks", "pages", "screens")


def columns_of(table: str) -> list[Column]:
    """A table's columns. A name not in TABLES is another per-event track table (`cart_viewed`):
    RudderStack writes it with every column of `tracks`; its properties come on top."""
    return TABLES.get(table, TABLES["tracks"])


def column_names(table: str) -> list[str]:
    return [name for name, _ in columns_of(table)]
