"""CEPII BACI: bilateral trade by HS6 product, one CSV per year, and its code files.

The package holds the reader (`reader`), the raw tables' schemas (`schema`) and the download
(`download`); this module declares the source (`SPEC`) and the facts its file names carry, which
the landing sensor and the loader use without loading the reader.
"""

from __future__ import annotations

import re

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="baci",
    folder="baci",
    label="baci",
    description="CEPII BACI bilateral trade (one CSV per year) and its country and product codes",
    reader="ingest.baci.reader:read_baci_folder",
    tables_from="ingest.baci.schema:RAW_TABLES",
    dbt_source="baci",
    fresh_table="baci_trade",
)

TRADE_FILE = re.compile(r"^BACI_.*_Y\d{4}_V\w+\.csv$", re.IGNORECASE)
COUNTRY_CODES_FILE = re.compile(r"^country_codes_V\w+\.csv$", re.IGNORECASE)
PRODUCT_CODES_FILE = re.compile(r"^product_codes_HS\d{2}_V\w+\.csv$", re.IGNORECASE)
_TRADE_REVISION = re.compile(r"^BACI_(HS\d{2})_", re.IGNORECASE)
_PRODUCT_REVISION = re.compile(r"^product_codes_(HS\d{2})_", re.IGNORECASE)
_FILE_YEAR = re.compile(r"_Y(\d{4})(?:_|\.)", re.IGNORECASE)


def hs_revision_from_trade_name(name: str) -> str | None:
    """`BACI_HS17_Y2023_V202501.csv` -> `HS17`; None when the name carries no revision."""
    match = _TRADE_REVISION.match(name)
    return match.group(1).upper() if match else None


def hs_revision_from_product_name(name: str) -> str | None:
    """`product_codes_HS17_V202301.csv` -> `HS17`; None when the name carries no revision."""
    match = _PRODUCT_REVISION.match(name)
    return match.group(1).upper() if match else None


def year_from_trade_name(name: str) -> int | None:
    """`BACI_HS17_Y2023_V202501.csv` -> 2023; None when the name carries no `Y<year>`."""
    match = _FILE_YEAR.search(name)
    return int(match.group(1)) if match else None


# The same year as a DuckDB expression on a `source_file` column, for the quarantine rows of a
# trade file (`BACI_HS17_Y2023_V202501.csv` -> 2023).
TRADE_FILE_YEAR_SQL = "try_cast(regexp_extract(source_file, '_Y([0-9]{4})[_.]', 1) as integer)"
