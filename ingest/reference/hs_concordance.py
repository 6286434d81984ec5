"""HS revisions concorded to the reporting revision (HS 2017) for the critical-mineral codes.

`ingest/data/hs_concordance_critical.csv` is derived by `scripts/build_hs_concordance.py` from the
UN Statistics Division's HS correlation tables (HS 1992 ... HS 2022, consecutive editions chained).
It has one row per (source_revision, source_hs6): every code of a BACI revision (HS92, HS96, HS02,
HS07, HS12, HS17, HS22) that correlates with a critical HS 2017 code of `commodities.csv`, and the
HS 2017 code its trade is reported under (`hs6_hs17`). One row per source code means a value is
never counted twice. A source code that correlates with several HS 2017 codes is flagged
`is_split`: its value is kept whole on its critical HS 2017 target (an upper bound, stated in
`concordance_note`; `hs17_targets` lists every target). Examples: HS 2022 split HS 2017 811292
(gallium, germanium, hafnium, indium, niobium, rhenium, vanadium) into 811231 hafnium, 811241
rhenium and a narrower 811292; all three report as HS 2017 811292 (n:1, not a split).

The BACI reader keeps, for a file of revision R, the codes `critical_source_codes(R)`; dbt maps
them to HS 2017 through `raw.ref_hs_concordance` (staging model
`stg_reference__hs_concordance`), so raw tables keep the codes as published.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polars as pl

from ingest.reference import lookup as reference
from ingest.reference.schema import CONCORDANCE_SCHEMA

CONCORDANCE_CSV = Path(__file__).parents[1] / "data" / "hs_concordance_critical.csv"
REPORTING_REVISION = "HS17"
REVISIONS: tuple[str, ...] = reference.HS_REVISIONS

_HS6 = re.compile(r"^\d{6}$")


@cache
def concordance() -> pl.DataFrame:
    """The packaged concordance, shaped as raw.ref_hs_concordance. Cached; validated on read."""
    table = pl.read_csv(CONCORDANCE_CSV, schema=CONCORDANCE_SCHEMA, encoding="utf8")
    problems = concordance_problems(table, reference.critical_hs6_codes())
    if problems:
        raise ValueError(f"{CONCORDANCE_CSV}: " + "; ".join(problems))
    return table


def concordance_problems(table: pl.DataFrame, critical: frozenset[str]) -> list[str]:
    """Reasons the table cannot be used, each naming its line (header = line 1)."""
    problems: list[str] = []
    for line, row in enumerate(table.iter_rows(named=True), start=2):
        if row["source_revision"] not in REVISIONS:
            problems.append(
                f"line {line}: source_revision {row['source_revision']!r}, "
                f"expected one of {REVISIONS}"
            )
        for field in ("source_hs6", "hs6_hs17"):
            if not _HS6.match(row[field] or ""):
                problems.append(f"line {line}: {field} {row[field]!r}, expected 6 digits")
        if row["hs6_hs17"] not in critical:
            problems.append(
                f"line {line}: hs6_hs17 {row['hs6_hs17']!r} is not a critical code of "
                "commodities.csv"
            )
    duplicated = table.filter(pl.struct("source_revision", "source_hs6").is_duplicated())
    if duplicated.height:
        problems.append(
            "duplicate (source_revision, source_hs6) keys, a value would count twice: "
            f"{duplicated.select('source_revision', 'source_hs6').unique().rows()}"
        )
    return problems


def critical_source_codes(revision: str | None) -> frozenset[str]:
    """Codes of `revision` that report under a critical HS 2017 code (empty when unknown)."""
    if revision is None:
        return frozenset()
    table = concordance().filter(pl.col("source_revision") == revision.upper())
    return frozenset(table["source_hs6"].to_list())


def to_hs17(revision: str, hs6: str) -> str | None:
    """The HS 2017 code a critical-scope code of `revision` reports under, or None."""
    match = concordance().filter(
        (pl.col("source_revision") == revision.upper()) & (pl.col("source_hs6") == hs6)
    )
    return match["hs6_hs17"].item() if match.height else None
