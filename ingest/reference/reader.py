"""The reference tables shipped with critmin, shaped as their raw tables (`schema.RAW_TABLES`)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest._result import SourceRead, empty_rejects


def reference_tables() -> dict[str, pl.DataFrame]:
    """The packaged reference tables, shaped as raw.ref_countries, raw.ref_commodities,
    raw.ref_minerals, raw.ref_hs_concordance and raw.ref_baci_historical_codes."""
    from ingest.baci.reader import historical_codes_table
    from ingest.reference import hs_concordance, lookup

    return {
        "ref_countries": lookup.countries().drop("aliases"),
        "ref_commodities": lookup.commodities(),
        "ref_minerals": lookup.minerals(),
        "ref_hs_concordance": hs_concordance.concordance(),
        "ref_baci_historical_codes": historical_codes_table(),
    }


def read_reference(folder: Path | None = None, source: str = "reference") -> SourceRead:
    """The reference tables as one source read: no landing folder (`folder` is not read), no
    files, nothing rejected."""
    return SourceRead(source=source, tables=reference_tables(), rejects=empty_rejects(), files=())
