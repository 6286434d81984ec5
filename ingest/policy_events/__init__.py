"""The curated register of export controls, bans, stockpiles and agreements (YAML).

The package holds the reader (`reader`) and the raw tables' schemas (`schema`); this module
declares the source (`SPEC`).
"""

from __future__ import annotations

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="policy_events",
    folder="policy_events",
    label="policy_register",
    description="Curated register of export controls, bans, stockpiles and agreements",
    reader="ingest.policy_events.reader:read_policy_folder",
    tables_from="ingest.policy_events.schema:RAW_TABLES",
    dbt_source="policy_register",
    # A synthetic landing directory carries the real curated register, not a synthetic one.
    labelled_by_landing=False,
    fresh_table="policy_events",
)
