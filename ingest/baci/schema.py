"""BACI's raw tables: polars schemas of the reader's frames."""

from __future__ import annotations

import polars as pl

from ingest.source import RawTable

BACI_TRADE_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "exporter_code": pl.Int32(),
    "importer_code": pl.Int32(),
    "hs6": pl.Utf8(),
    "value_usd": pl.Float64(),
    "quantity_t": pl.Float64(),
    "hs_revision": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}
BACI_COUNTRY_CODES_SCHEMA: dict[str, pl.DataType] = {
    "country_code": pl.Int32(),
    "country_name": pl.Utf8(),
    "iso2": pl.Utf8(),
    "iso3": pl.Utf8(),
    "source_file": pl.Utf8(),
}
BACI_PRODUCT_CODES_SCHEMA: dict[str, pl.DataType] = {
    "hs6": pl.Utf8(),
    "description": pl.Utf8(),
    "hs_revision": pl.Utf8(),
    "source_file": pl.Utf8(),
}

# Historical BACI country codes with one present-day successor (`reader.BACI_HISTORICAL_CODES`,
# e.g. 58 Belgium-Luxembourg -> BEL); dbt maps BACI rows through it next to ref_countries.baci_code.
# Shipped with critmin, so the reference asset loads it.
BACI_HISTORICAL_CODES_SCHEMA: dict[str, pl.DataType] = {
    "baci_code": pl.Int32(),
    "country_iso3": pl.Utf8(),
    "note": pl.Utf8(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "baci_trade",
        BACI_TRADE_SCHEMA,
        not_null=frozenset(
            {
                "year",
                "exporter_code",
                "importer_code",
                "hs6",
                "value_usd",
                "source",
                "source_file",
                "source_line",
            }
        ),
        description=(
            "CEPII BACI bilateral trade, critical-mineral HS6 codes only, one partition a year"
        ),
        partitioned_by="year",
    ),
    RawTable(
        "baci_country_codes",
        BACI_COUNTRY_CODES_SCHEMA,
        not_null=frozenset({"country_code", "source_file"}),
        description="CEPII BACI country codes file",
    ),
    RawTable(
        "baci_product_codes",
        BACI_PRODUCT_CODES_SCHEMA,
        not_null=frozenset({"hs6", "source_file"}),
        description="CEPII BACI product codes file",
    ),
)
