"""World Mining Data's raw tables: polars schemas of the reader's frames."""

from __future__ import annotations

import polars as pl

from ingest.source import RawTable

PRODUCTION_SCHEMA: dict[str, pl.DataType] = {
    "source_table": pl.Utf8(),
    "mineral": pl.Utf8(),
    "content_basis": pl.Utf8(),
    "production_type": pl.Utf8(),
    "country_name": pl.Utf8(),
    "country_code": pl.Utf8(),
    "country_iso_raw": pl.Utf8(),
    "country_iso3": pl.Utf8(),
    "row_kind": pl.Utf8(),
    "year": pl.Int32(),
    "quantity": pl.Float64(),
    "unit": pl.Utf8(),
    "data_status": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}
MATERIALS_SCHEMA: dict[str, pl.DataType] = {
    "source_table": pl.Utf8(),
    "sheet_name": pl.Utf8(),
    "mineral": pl.Utf8(),
    "category": pl.Utf8(),
    "reference_id": pl.Utf8(),
    "supply_chain_stage": pl.Utf8(),
    "symbol": pl.Utf8(),
    "reference_url": pl.Utf8(),
    "eol_rir_2023": pl.Float64(),
    "hs_code": pl.Utf8(),
    "hs_codes_complementary": pl.Utf8(),
    "hs_description": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "world_mining_data_production",
        PRODUCTION_SCHEMA,
        not_null=frozenset(
            {
                "source_table",
                "row_kind",
                "year",
                "quantity",
                "unit",
                "source",
                "source_file",
                "source_line",
            }
        ),
        comment=(
            "World Mining Data: one row per mineral-table row x year with a figure; the table's "
            "`Total` row is kept as row_kind = 'world_total'."
        ),
    ),
    RawTable(
        "world_mining_data_materials",
        MATERIALS_SCHEMA,
        not_null=frozenset({"source_table", "sheet_name", "source", "source_file", "source_line"}),
        comment=(
            "World Mining Data `HS Code Map`: per WMD table, HS codes and the SCRREEN EoL-RIR "
            "(2023)."
        ),
    ),
)
