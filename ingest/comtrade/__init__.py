"""UN Comtrade: monthly or annual trade records from the v1 API (saved JSON) or CSV extracts.

The package holds the reader (`reader`), the raw table's schema (`schema`) and the API download
(`download`); this module declares the source (`SPEC`).
"""

from __future__ import annotations

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="comtrade",
    folder="comtrade",
    label="comtrade",
    description="UN Comtrade v1 records (API responses saved as JSON, or CSV extracts)",
    reader="ingest.comtrade.reader:read_comtrade_folder",
    tables_from="ingest.comtrade.schema:RAW_TABLES",
    dbt_source="comtrade",
    # A synthetic landing directory has no Comtrade data: what it holds is published data.
    labelled_by_landing=False,
    fresh_table="comtrade_records",
)
