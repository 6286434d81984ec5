"""The reference tables shipped with critmin (`ingest/data/`): polars schemas of their frames."""

from __future__ import annotations

import polars as pl

from ingest.baci.schema import BACI_HISTORICAL_CODES_SCHEMA
from ingest.source import RawTable

# The raw columns of countries.csv (its `aliases` column serves name lookups only).
COUNTRIES_SCHEMA: dict[str, pl.DataType] = {
    "country_iso3": pl.Utf8(),
    "country_name": pl.Utf8(),
    "m49_code": pl.Int32(),
    "baci_code": pl.Int32(),
    "region": pl.Utf8(),
    "sub_region": pl.Utf8(),
}
# The list flags of minerals.csv, one boolean column per official list.
LIST_FLAGS = ("usgs_2025", "usgs_2022", "eu_2023_critical", "eu_2023_strategic", "iea_focus")
COMMODITY_SCHEMA: dict[str, pl.DataType] = {
    "hs6": pl.Utf8(),
    "mineral": pl.Utf8(),
    "stage": pl.Utf8(),
    "description": pl.Utf8(),
    "is_shared_code": pl.Boolean(),
    "hs_revision": pl.Utf8(),
    "is_broader_than_mineral": pl.Boolean(),
    "note": pl.Utf8(),
}
MINERAL_SCHEMA: dict[str, pl.DataType] = {
    "mineral": pl.Utf8(),
    "name": pl.Utf8(),
    "mineral_group": pl.Utf8(),
    "is_group": pl.Boolean(),
    **{flag: pl.Boolean() for flag in LIST_FLAGS},
    "usgs_2025_entry": pl.Utf8(),
    "usgs_2022_entry": pl.Utf8(),
    "eu_2023_entry": pl.Utf8(),
    "eu_2023_strategic_entry": pl.Utf8(),
    "usgs_mcs_codes": pl.Utf8(),
    "wmd_tables": pl.Utf8(),
    "hs6_note": pl.Utf8(),
    "scope_note": pl.Utf8(),
}
CONCORDANCE_SCHEMA: dict[str, pl.DataType] = {
    "source_revision": pl.Utf8(),
    "source_hs6": pl.Utf8(),
    "hs6_hs17": pl.Utf8(),
    "is_split": pl.Boolean(),
    "hs17_targets": pl.Utf8(),
    "concordance_note": pl.Utf8(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "ref_countries",
        COUNTRIES_SCHEMA,
        not_null=frozenset({"country_iso3", "country_name"}),
        description="Countries: ISO3, M49 and BACI codes, region",
    ),
    RawTable(
        "ref_commodities",
        COMMODITY_SCHEMA,
        not_null=frozenset({"hs6", "mineral", "stage", "is_shared_code"}),
        description="Critical-mineral HS6 codes: mineral and value-chain stage",
        added_columns=("hs_revision", "is_broader_than_mineral", "note"),
    ),
    RawTable(
        "ref_minerals",
        MINERAL_SCHEMA,
        not_null=frozenset(
            {
                "mineral",
                "name",
                "is_group",
                "usgs_2025",
                "usgs_2022",
                "eu_2023_critical",
                "eu_2023_strategic",
                "iea_focus",
            }
        ),
        description="Minerals: the official critical-mineral lists naming each",
    ),
    RawTable(
        "ref_hs_concordance",
        CONCORDANCE_SCHEMA,
        not_null=frozenset(
            {"source_revision", "source_hs6", "hs6_hs17", "is_split", "hs17_targets"}
        ),
        description="HS revisions concorded to HS 2017 for critical codes",
        comment=(
            "HS revisions concorded to HS 2017 for the critical-mineral codes; one row per "
            "(source_revision, source_hs6), so a trade value maps to one HS 2017 code."
        ),
    ),
    RawTable(
        "ref_baci_historical_codes",
        BACI_HISTORICAL_CODES_SCHEMA,
        not_null=frozenset({"baci_code", "country_iso3"}),
        description="Historical BACI country codes -> successor ISO3",
        dbt_source="baci",
        comment=(
            "Historical BACI country codes with one present-day successor (58 Belgium-Luxembourg "
            "-> BEL); dbt maps BACI rows through it next to ref_countries.baci_code."
        ),
    ),
)
