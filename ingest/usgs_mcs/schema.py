"""USGS MCS raw tables: polars schemas of the world and salient readers' frames."""

from __future__ import annotations

import polars as pl

from ingest.source import RawTable

USGS_MCS_WORLD_SCHEMA: dict[str, pl.DataType] = {
    "edition": pl.Int32(),
    "commodity_code": pl.Utf8(),
    "mineral": pl.Utf8(),
    "country_raw": pl.Utf8(),
    "country_name": pl.Utf8(),
    "country_iso3": pl.Utf8(),
    "row_kind": pl.Utf8(),
    "type_raw": pl.Utf8(),
    "production_type": pl.Utf8(),
    "measure": pl.Utf8(),
    "year": pl.Int32(),
    "quantity": pl.Float64(),
    "unit": pl.Utf8(),
    "is_estimate": pl.Boolean(),
    "value_flag": pl.Utf8(),
    "notes": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}
USGS_MCS_SALIENT_SCHEMA: dict[str, pl.DataType] = {
    "edition": pl.Int32(),
    "commodity_code": pl.Utf8(),
    "mineral": pl.Utf8(),
    "commodity_raw": pl.Utf8(),
    "year": pl.Int32(),
    "measure": pl.Utf8(),
    "qualifier": pl.Utf8(),
    "column_raw": pl.Utf8(),
    "column_number": pl.Int32(),
    "unit": pl.Utf8(),
    "value": pl.Float64(),
    "value_flag": pl.Utf8(),
    "is_estimate": pl.Boolean(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "usgs_mcs_world",
        USGS_MCS_WORLD_SCHEMA,
        not_null=frozenset({"row_kind", "measure", "source", "source_file", "source_line"}),
    ),
    RawTable(
        "usgs_mcs_salient",
        USGS_MCS_SALIENT_SCHEMA,
        not_null=frozenset(
            {"measure", "column_raw", "column_number", "source", "source_file", "source_line"}
        ),
    ),
)
