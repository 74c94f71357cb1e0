"""Load raw RudderStack rows into DuckDB or PostgreSQL, or write them as Parquet files for
Spark, typed as the destination types them.

Bulk loads through CSV (DuckDB `COPY`, PostgreSQL `COPY FROM STDIN`), never row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.rudderstack_tables import TABLES, Column, columns_of

NULL = r"\N"
Row = Mapping[str, Any]


def csv_value(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: raw RudderStack times are timestamptz")
        return value.astimezone(dt.timezone.utc).isoformat(sep=" ")
    return str(value)


def write_csv(handle: io.TextIOBase, columns: Sequence[str], rows: Iterable[Row], null: str = NULL) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([null if row.get(c) is None else csv_value(row.get(c)) for c in columns])


def table_columns(
    table: str, drop_columns: Iterable[str] = (), column_types: Mapping[str, str] | None = None
) -> list[Column]:
    """The table's columns (TABLES[table]; a per-event track table such as `order_completed`,
    not in TABLES, has those of `tracks`) without the dropped columns, with some columns'
    SQL types overridden; a name of column_types that is no RudderStack column is an extra
    column (a track event's property), added last."""
    dropped, types = set(drop_columns), column_types or {}
    standard = columns_of(table)
    known = [(name, types.get(name, sql_type)) for name, sql_type in standard if name not in dropped]
    return known + [(name, sql_type) for name, sql_type in types.items() if name not in dict(standard)]


def _ddl(schema: str, table: str, columns: Sequence[Column]) -> str:
    body = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    return f'create table "{schema}"."{table}" ({body})'


def load_duckdb(
    database_path: str | Path,
    schema: str,
    rows_by_table: Mapping[str, Sequence[Row]],
    drop_columns: Mapping[str, Iterable[str]] | None = None,
    column_types: Mapping[str, Mapping[str, str]] | None = None,
    append: bool = False,
) -> None:
    """(Re)create `schema` in the DuckDB file and load one table per key of rows_by_table;
    with append, add the rows to the tables a previous load created."""
    import duckdb

    drop_columns, column_types = drop_columns or {}, column_types or {}
    with duckdb.connect(str(database_path)) as connection, tempfile.TemporaryDirectory() as tmp:
        if not append:
            connection.execute(f'drop schema if exists "{schema}" cascade')
            connection.execute(f'create schema "{schema}"')
        for table, rows in rows_by_table.items():
            columns = table_columns(table, drop_columns.get(table, ()), column_types.get(table))
            if not append:
                connection.execute(_ddl(schema, table, columns))
            path = Path(tmp) / f"{table}.csv"
            with path.open("w", newline="") as handle:
                write_csv(handle, [c for c, _ in columns], rows)
            connection.execute(
                f"copy \"{schema}\".\"{table}\" from '{path}' (format csv, header true, nullstr '{NULL}')"
            )


def write_parquet(
    directory: str | Path,
    rows_by_table: Mapping[str, Sequence[Row]],
    drop_columns: Mapping[str, Iterable[str]] | None = None,
    column_types: Mapping[str, Mapping[str, str]] | None = None,
    append: bool = False,
) -> None:
    """(Re)write `directory` with one folder of Parquet files per key of rows_by_table
    (DIR/tracks/part-00000.parquet), the layout register_rudderstack_parquet reads; with
    append, add one more file to each table's folder. Typed through DuckDB, so times are
    Parquet timestamps adjusted to UTC, as an export of the warehouse tables would be."""
    import duckdb

    directory = Path(directory)
    drop_columns, column_types = drop_columns or {}, column_types or {}
    if not append and directory.exists():
        shutil.rmtree(directory)
    with duckdb.connect() as connection, tempfile.TemporaryDirectory() as tmp:
        connection.execute("create schema raw")
        for table, rows in rows_by_table.items():
            columns = table_columns(table, drop_columns.get(table, ()), column_types.get(table))
            connection.execute(_ddl("raw", table, columns))
            path = Path(tmp) / f"{table}.csv"
            with path.open("w", newline="") as handle:
                write_csv(handle, [c for c, _ in columns], rows)
            connection.execute(f"copy raw.\"{table}\" from '{path}' (format csv, header true, nullstr '{NULL}')")
            folder = directory / table
            folder.mkdir(parents=True, exist_ok=True)
            part = folder / f"part-{len(list(folder.glob('*.parquet'))):05d}.parquet"
            connection.execute(f"copy raw.\"{table}\" to '{part}' (format parquet)")


def load_postgres(
    connection_kwargs: Mapping[str, Any],
    schema: str,
    rows_by_table: Mapping[str, Sequence[Row]],
    drop_columns: Mapping[str, Iterable[str]] | None = None,
    column_types: Mapping[str, Mapping[str, str]] | None = None,
    append: bool = False,
) -> None:
    """(Re)create `schema` in PostgreSQL and load one table per key of rows_by_table;
    with append, add the rows to the tables a previous load created."""
    import psycopg2

    drop_columns, column_types = drop_columns or {}, column_types or {}
    connection = psycopg2.connect(**connection_kwargs)
    try:
        with connection, connection.cursor() as cursor:
            if not append:
                cursor.execute(f'drop schema if exists "{schema}" cascade')
                cursor.execute(f'create schema "{schema}"')
            for table, rows in rows_by_table.items():
                columns = table_columns(table, drop_columns.get(table, ()), column_types.get(table))
                if not append:
                    cursor.execute(_ddl(schema, table, columns))
                buffer = io.StringIO()
                write_csv(buffer, [c for c, _ in columns], rows)
                buffer.seek(0)
                quoted = ", ".join(f'"{c}"' for c, _ in columns)
                cursor.copy_expert(
                    f'copy "{schema}"."{table}" ({quoted}) from stdin with (format csv, header true, null \'{NULL}\')',
                    buffer,
                )
                cursor.execute(f'analyze "{schema}"."{table}"')  # as autovacuum would, soon after a load
    finally:
        connection.close()


def parse_value(text: str, sql_type: str, null: str = "") -> Any:
    """A CSV cell back to the Python value of its RudderStack type."""
    if text == null or text == NULL:
        return None
    if sql_type == "timestamptz":
        return dt.datetime.fromisoformat(text)
    if sql_type == "bigint":
        return int(text)
    if sql_type == "boolean":
        return text.lower() == "true"
    return text


def read_csv_rows(path: str | Path, table: str) -> list[dict[str, Any]]:
    """Rows of a seed CSV written by write_csv (empty cell = NULL), typed as TABLES says."""
    types = dict(TABLES[table])
    with Path(path).open(newline="") as handle:
        return [
            {column: parse_value(text, types.get(column, "text")) for column, text in row.items()}
            for row in csv.DictReader(handle)
        ]
