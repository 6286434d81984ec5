"""WGI's raw table: the polars schema of the reader's frame."""

from __future__ import annotations

import polars as pl

from ingest.source import RawTable

WGI_SCHEMA: dict[str, pl.DataType] = {
    "country_name": pl.Utf8(),
    "country_code": pl.Utf8(),
    "country_iso3": pl.Utf8(),
    "series_name": pl.Utf8(),
    "series_code": pl.Utf8(),
    "year": pl.Int32(),
    "value": pl.Float64(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "wgi_governance",
        WGI_SCHEMA,
        not_null=frozenset(
            {"country_code", "series_code", "year", "value", "source", "source_file", "source_line"}
        ),
    ),
)
