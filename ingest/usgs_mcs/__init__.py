"""USGS Mineral Commodity Summaries: world production and reserves, and US salient statistics.

The package holds the readers (`world` for the world tables with the CSV text helpers,
`salient` for the salient statistics, `reader` for a release folder), the raw tables' schemas
(`schema`) and the download (`download`); this module declares the source (`SPEC`).
"""

from __future__ import annotations

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="usgs_mcs",
    folder="usgs_mcs",
    label="usgs_mcs",
    description="USGS MCS world production and reserves, and US salient statistics",
    reader="ingest.usgs_mcs.reader:read_usgs_folder",
    tables_from="ingest.usgs_mcs.schema:RAW_TABLES",
    dbt_source="usgs_mcs",
    fresh_table="usgs_mcs_world",
)
