"""Derive ingest/data/hs_concordance_critical.csv from the UN Comtrade HS correlation tables.

Input: `HS_consolidated_comtrade_concordances.csv` (UN Statistics Division, the consolidated
correlation tables between consecutive HS editions; columns `code.after, code.before,
Relationship, adjustment`, e.g. `811231,811292,n:1,2022 to 2017`; codes lose leading zeros).
The same links are in the `HS 2022 to HS 2017 ConversionAndCorrelationTables.xlsx` workbook.

Output: for every HS revision BACI publishes (HS92, HS96, HS02, HS07, HS12, HS17, HS22), every
six-digit code of that revision whose correlation into HS 2017 (the reporting revision of
ingest/data/commodities.csv) reaches at least one critical-mineral code:

    source_revision, source_hs6, hs6_hs17, is_split, hs17_targets, concordance_note

- Older revisions are chained forward edition by edition (1992 -> 1996 -> ... -> 2017), HS 2022
  backward (2022 -> 2017); HS17 codes map to themselves.
- One row per (source_revision, source_hs6), so a trade value is never counted twice. When a
  source code splits across several HS 2017 codes (`is_split`), the row is kept whole on its
  critical HS 2017 target (the lowest one if several are critical) and `hs17_targets` lists every
  target: exposure from such rows is an upper bound, like every HS6 exposure. A split is kept
  only within its HS heading (HS92 850780 "other accumulators" -> HS17 850760 lithium-ion);
  a split across headings is not a faithful mapping and is left out (HS22 854921, electrical
  and electronic waste, correlates with ~600 HS 2017 codes of chapters 38 to 95, 850511 among
  them: it is not magnet trade).

    .venv/bin/python scripts/build_hs_concordance.py \
        --input /path/to/HS_consolidated_comtrade_concordances.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = (
    REPO.parent
    / "shared"
    / "realdata"
    / "reference"
    / "hs_concordance_comtrade"
    / "HS_consolidated_comtrade_concordances.csv"
)
OUTPUT = REPO / "ingest" / "data" / "hs_concordance_critical.csv"
COMMODITIES = REPO / "ingest" / "data" / "commodities.csv"

REPORTING_REVISION = "HS17"
# BACI revision label -> HS edition year, oldest first.
EDITIONS: dict[str, int] = {
    "HS92": 1992,
    "HS96": 1996,
    "HS02": 2002,
    "HS07": 2007,
    "HS12": 2012,
    "HS17": 2017,
    "HS22": 2022,
}
COLUMNS = (
    "source_revision",
    "source_hs6",
    "hs6_hs17",
    "is_split",
    "hs17_targets",
    "concordance_note",
)

Links = dict[tuple[int, int], list[tuple[str, str]]]


def read_links(path: Path) -> Links:
    """(after year, before year) -> [(after code, before code)], codes zero-padded, HS 1992 on."""
    links: Links = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            after, before = (int(year) for year in row["adjustment"].split(" to "))
            if before < min(EDITIONS.values()):
                continue  # pre-1992 nomenclatures (also carry Roman-numeral codes); not used
            pair = (row["code.after"].strip().zfill(6), row["code.before"].strip().zfill(6))
            if not all(code.isdigit() and len(code) == 6 for code in pair):
                raise ValueError(f"{path}, line {line}: codes {pair}; expected six digits")
            links[(after, before)].append(pair)
    return links


def hs17_targets(links: Links, revision: str) -> dict[str, set[str]]:
    """Every code of `revision` -> the HS 2017 codes it correlates with."""
    year = EDITIONS[revision]
    target_year = EDITIONS[REPORTING_REVISION]
    if year == target_year:
        codes = {before for _, before in links[(2022, target_year)]}
        codes |= {after for after, _ in links[(target_year, 2012)]}
        return {code: {code} for code in codes}
    if year > target_year:
        step: dict[str, set[str]] = defaultdict(set)
        for after, before in links[(year, target_year)]:
            step[after].add(before)
        return dict(step)
    years = [y for y in EDITIONS.values() if year <= y <= target_year]
    mapping = {before: {before} for _, before in links[(years[1], years[0])]}
    for older, newer in zip(years, years[1:], strict=False):
        forward: dict[str, set[str]] = defaultdict(set)
        for after, before in links[(newer, older)]:
            forward[before].add(after)
        mapping = {
            code: set().union(*(forward.get(c, {c}) for c in current))
            for code, current in mapping.items()
        }
    return mapping


def critical_codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["hs6"] for row in csv.DictReader(handle)}


def concordance_rows(links: Links, critical: set[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for revision in EDITIONS:
        for code, targets in sorted(hs17_targets(links, revision).items()):
            all_targets = sorted(targets)
            is_split = len(all_targets) > 1
            hit = sorted(t for t in targets & critical if not is_split or t[:4] == code[:4])
            if not hit:
                continue
            note = ""
            if is_split:
                note = (
                    f"{revision} {code} correlates with HS17 {', '.join(all_targets)}; "
                    f"value kept whole on {hit[0]} (upper bound)"
                )
            elif code != hit[0]:
                note = f"{revision} {code} is part of HS17 {hit[0]}"
            rows.append(
                {
                    "source_revision": revision,
                    "source_hs6": code,
                    "hs6_hs17": hit[0],
                    "is_split": "true" if is_split else "false",
                    "hs17_targets": "|".join(all_targets),
                    "concordance_note": note,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = concordance_rows(read_links(args.input), critical_codes(COMMODITIES))
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{args.output}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
