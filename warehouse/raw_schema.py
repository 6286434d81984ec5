"""The DDL of the warehouse's `raw` schema, derived from the sources' specs (`ingest.registry`).

Each raw table has the columns of its reader's polars schema with the matching DuckDB types, in
the same order; `raw_schema.sql` adds the tables the loader itself writes (quarantine, load log).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from ingest import registry
from ingest.source import RawTable

WAREHOUSE_TABLES_SQL = Path(__file__).with_name("raw_schema.sql")

# Polars dtype -> DuckDB type, for every dtype a raw table uses.
_DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.Int32: "integer",
    pl.Int64: "bigint",
    pl.Float64: "double",
    pl.Utf8: "varchar",
    pl.Boolean: "boolean",
    pl.Date: "date",
    pl.Datetime: "timestamp",
}


def duckdb_type(dtype: pl.DataType) -> str:
    """The DuckDB column type of a polars dtype (`List(Utf8)` -> `varchar[]`)."""
    if isinstance(dtype, pl.List):
        return f"{duckdb_type(dtype.inner)}[]"
    for polars_type, name in _DUCKDB_TYPES.items():
        if dtype == polars_type:
            return name
    raise TypeError(f"no DuckDB type for polars dtype {dtype}; add it to warehouse.raw_schema")


def create_table_sql(table: RawTable) -> str:
    """`create table if not exists raw.<name> (...)`, plus `add column if not exists` for the
    columns added after the table first shipped."""
    columns = ",\n".join(
        f"    {name} {duckdb_type(dtype)}" + (" not null" if name in table.not_null else "")
        for name, dtype in table.schema.items()
    )
    comment = "".join(f"-- {line}\n" for line in _wrap(table.comment)) if table.comment else ""
    statements = [f"{comment}create table if not exists raw.{table.name} (\n{columns}\n);"]
    statements += [
        f"alter table raw.{table.name} add column if not exists {column} "
        f"{duckdb_type(table.schema[column])};"
        for column in table.added_columns
    ]
    return "\n".join(statements)


def _wrap(text: str, width: int = 97) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


@cache
def raw_ddl() -> str:
    """The whole `raw` schema: every source's raw tables, then the loader's own tables."""
    parts = [
        "-- The warehouse's raw layer, generated from the sources' specs (raw_schema.py).",
        "create schema if not exists raw;",
        *(create_table_sql(table) for table in registry.raw_tables()),
        WAREHOUSE_TABLES_SQL.read_text(encoding="utf-8"),
    ]
    return "\n\n".join(parts)
