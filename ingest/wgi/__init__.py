"""World Bank Worldwide Governance Indicators (DataBank CSV export or wgi.db).

The package holds the reader (`reader`) and the raw table's schema (`schema`); this module
declares the source (`SPEC`).
"""

from __future__ import annotations

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="wgi",
    folder="wgi",
    label="wgi",
    description="World Bank Worldwide Governance Indicators (DataBank CSV export or wgi.db)",
    reader="ingest.wgi.reader:read_wgi_folder",
    tables_from="ingest.wgi.schema:RAW_TABLES",
    dbt_source="wgi",
    fresh_table="wgi_governance",
)
