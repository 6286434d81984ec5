"""The reference tables shipped with critmin (`ingest/data/`): countries, critical-mineral HS6
codes, minerals and their lists, the HS concordance, historical BACI country codes.

The package holds the lookups the readers use (`lookup`, `hs_concordance`), the tables' schemas
(`schema`) and their shaping as raw tables (`reader`); this module declares the source (`SPEC`),
which has no landing folder.
"""

from __future__ import annotations

from ingest.source import SourceSpec

SPEC = SourceSpec(
    name="reference",
    folder=None,
    label="reference",
    description="The reference tables shipped with critmin (ingest/data/)",
    reader="ingest.reference.reader:read_reference",
    tables_from="ingest.reference.schema:RAW_TABLES",
    dbt_source="reference",
    labelled_by_landing=False,
)
