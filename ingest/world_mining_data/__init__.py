"""World Mining Data (Austrian BMF): production by mineral and country, HS codes and EoL-RIR.

The package holds the reader (`reader`) and the raw tables' schemas (`schema`); this module
declares the source (`SPEC`).
"""

from __future__ import annotations

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="world_mining_data",
    folder="world_mining_data",
    label="world_mining_data",
    description="World Mining Data production by mineral and country, HS codes and EoL-RIR",
    reader="ingest.world_mining_data.reader:read_world_mining_data_folder",
    tables_from="ingest.world_mining_data.schema:RAW_TABLES",
    dbt_source="world_mining_data",
    # A synthetic landing directory has no World Mining Data file.
    labelled_by_landing=False,
    fresh_table="world_mining_data_production",
)
