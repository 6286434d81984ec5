"""UN Comtrade's raw table: the polars schema of the reader's frame."""

from __future__ import annotations

import polars as pl

from ingest.source import RawTable

COMTRADE_RECORDS_SCHEMA: dict[str, pl.DataType] = {
    "freq_code": pl.Utf8(),
    "ref_year": pl.Int32(),
    "ref_month": pl.Int32(),
    "period": pl.Utf8(),
    "reporter_m49": pl.Int32(),
    "reporter_iso3": pl.Utf8(),
    "flow_code": pl.Utf8(),
    "partner_m49": pl.Int32(),
    "partner_iso3": pl.Utf8(),
    "is_world_partner": pl.Boolean(),
    "partner2_m49": pl.Int32(),
    "cmd_code": pl.Utf8(),
    "customs_code": pl.Utf8(),
    "mot_code": pl.Int32(),
    "qty_unit_code": pl.Int32(),
    "qty": pl.Float64(),
    "net_weight_kg": pl.Float64(),
    "cif_value_usd": pl.Float64(),
    "fob_value_usd": pl.Float64(),
    "primary_value_usd": pl.Float64(),
    "is_aggregate": pl.Boolean(),
    "is_reported": pl.Boolean(),
    "classification_code": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "comtrade_records",
        COMTRADE_RECORDS_SCHEMA,
        not_null=frozenset(
            {
                "freq_code",
                "ref_year",
                "period",
                "reporter_m49",
                "reporter_iso3",
                "flow_code",
                "partner_m49",
                "is_world_partner",
                "partner2_m49",
                "cmd_code",
                "customs_code",
                "mot_code",
                "primary_value_usd",
                "source",
                "source_file",
                "source_line",
            }
        ),
    ),
)
