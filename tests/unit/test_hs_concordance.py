"""Tests for ingest.reference.hs_concordance, derived from the UN HS correlation tables."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from repo_paths import REPO, load_script

from ingest.baci.reader import read_baci_trade_file, scope_codes
from ingest.reference import hs_concordance
from ingest.reference import lookup as reference

UN_TABLES = (
    REPO.parent
    / "shared"
    / "realdata"
    / "reference"
    / "hs_concordance_comtrade"
    / "HS_consolidated_comtrade_concordances.csv"
)
needs_un_tables = pytest.mark.skipif(
    not UN_TABLES.is_file(), reason=f"UN correlation tables not present at {UN_TABLES}"
)


def test_one_row_per_source_code_and_every_target_is_critical() -> None:
    table = hs_concordance.concordance()
    assert table.select("source_revision", "source_hs6").is_duplicated().sum() == 0
    assert set(table["hs6_hs17"]) <= reference.critical_hs6_codes()
    # HS17 maps to itself for every critical code
    hs17 = table.filter(pl.col("source_revision") == "HS17")
    assert set(hs17["source_hs6"]) == reference.critical_hs6_codes()
    assert (hs17["source_hs6"] == hs17["hs6_hs17"]).all()


def test_hs22_reorganised_heading_8112() -> None:
    # HS 2022 carved hafnium (811231) and rhenium (811241) out of HS 2017 811292: all three
    # report as HS17 811292, none is a split; 811239/811249 (other articles) map to 811299,
    # which is not critical, so they are not in the table.
    assert hs_concordance.to_hs17("HS22", "811231") == "811292"
    assert hs_concordance.to_hs17("HS22", "811241") == "811292"
    assert hs_concordance.to_hs17("HS22", "811292") == "811292"
    assert hs_concordance.to_hs17("HS22", "811239") is None
    rows = hs_concordance.concordance().filter(
        (pl.col("source_revision") == "HS22")
        & pl.col("source_hs6").is_in(["811231", "811241", "811292"])
    )
    assert rows["is_split"].to_list() == [False, False, False]


def test_splits_are_flagged_kept_whole_within_their_heading() -> None:
    split = hs_concordance.concordance().filter(
        (pl.col("source_revision") == "HS92") & (pl.col("source_hs6") == "811000")
    )
    assert split.row(0, named=True) | {"concordance_note": None} == {
        "source_revision": "HS92",
        "source_hs6": "811000",
        "hs6_hs17": "811010",
        "is_split": True,
        "hs17_targets": "811010|811020|811090",
        "concordance_note": None,
    }
    # HS22 854921 (e-waste) correlates with ~600 HS17 codes, 850511 among them: a split across
    # headings is not a faithful mapping and is left out
    assert hs_concordance.to_hs17("HS22", "854921") is None


def test_problems_name_the_line_and_duplicates() -> None:
    table = pl.DataFrame(
        {
            "source_revision": ["HS22", "HS22", "HS30"],
            "source_hs6": ["811231", "811231", "12"],
            "hs6_hs17": ["811292", "811292", "010121"],
            "is_split": [False, False, False],
            "hs17_targets": ["811292", "811292", "010121"],
            "concordance_note": [None, None, None],
        },
        schema=hs_concordance.CONCORDANCE_SCHEMA,
    )
    problems = hs_concordance.concordance_problems(table, reference.critical_hs6_codes())
    assert any(p.startswith("line 4: source_revision 'HS30'") for p in problems)
    assert "line 4: source_hs6 '12', expected 6 digits" in problems
    assert any("line 4: hs6_hs17 '010121' is not a critical code" in p for p in problems)
    assert any(p.startswith("duplicate (source_revision, source_hs6)") for p in problems)


def test_hs22_file_keeps_codes_that_concord_to_critical_ones(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    path.write_text("t,i,j,k,v,q\n2023,156,699,811231,1,1\n2023,156,699,811239,1,1\n")
    assert "811231" in scope_codes("HS22") and "811231" not in scope_codes("HS17")
    result, read = read_baci_trade_file(path)
    # raw keeps the code as published; dbt maps it to HS17 811292
    assert result.rows.select("hs6", "hs_revision").rows() == [("811231", "HS22")]
    assert read.rows_out_of_scope == 1


@needs_un_tables
def test_packaged_csv_is_what_the_script_derives(tmp_path: Path) -> None:
    module = load_script("build_hs_concordance")
    output = tmp_path / "derived.csv"
    assert module.main(["--input", str(UN_TABLES), "--output", str(output)]) == 0
    assert output.read_bytes() == hs_concordance.CONCORDANCE_CSV.read_bytes()
    with output.open(encoding="utf-8") as handle:
        revisions = {row["source_revision"] for row in csv.DictReader(handle)}
    assert revisions == set(hs_concordance.REVISIONS)
