"""Tests for ingest.usgs_mcs.salient: USGS MCS salient statistics (US production, trade, NIR)."""

from __future__ import annotations

import polars as pl
import pytest
from repo_paths import FIXTURES, REALDATA

from ingest._result import REJECT_SCHEMA
from ingest.usgs_mcs.salient import (
    USGS_MCS_SALIENT_SCHEMA,
    parse_salient_column,
    parse_value,
    read_usgs_salient_file,
)

FIXTURE = FIXTURES / "usgs_mcs" / "mcs2024-raree_salient.csv"
REALDATA = REALDATA / "usgs_mcs"
MCS2022 = REALDATA / "mcs2022_individual_cmm"
MCS2024 = REALDATA / "mcs2024_salient"
needs_real = pytest.mark.skipif(
    not (MCS2022.is_dir() and MCS2024.is_dir()),
    reason=f"real USGS MCS 2022 / 2024 salient files not present under {REALDATA}",
)

FIELDS = ("year", "measure", "qualifier", "unit", "value", "value_flag", "is_estimate")


def _cells(rows: pl.DataFrame, line: int) -> list[tuple[object, ...]]:
    return rows.filter(pl.col("source_line") == line).select(FIELDS).rows()


def test_fixture_values_computed_by_hand() -> None:
    result = read_usgs_salient_file(FIXTURE)
    assert result.rows.schema == pl.Schema(USGS_MCS_SALIENT_SCHEMA)
    assert result.rejects.schema == pl.Schema(REJECT_SCHEMA)
    # Line 2: 8 statistic cells, `"10,700"` = 10700, W / E / >95 are tokens with no value.
    assert _cells(result.rows, 2) == [
        (2022, "us_production", "Concentrate", "t", 42000.0, None, False),
        (2022, "imports", "Compounds", "t", 10700.0, None, False),
        (2022, "exports", "Ores-Compounds", "t", 46000.0, None, False),
        (2022, "apparent_consumption", "Apparent", "t", 10200.0, None, False),
        (2022, "price", "Nd2O3", "dkg", 134.0, None, False),
        (2022, "us_production", "Mine", "t", None, "W", False),
        (2022, "net_import_reliance_pct", "Concentrate", "pct", None, "E", False),
        (2022, "net_import_reliance_pct", None, "pct", None, ">95", False),
    ]
    line3 = _cells(result.rows, 3)
    # `e150` is an estimate of 150; `−16` (Unicode minus) is -16; `<25` a bound, never a value.
    assert line3[5] == (2023, "us_production", "Mine", "t", 150.0, "e", True)
    assert line3[6] == (2023, "net_import_reliance_pct", "Concentrate", "pct", -16.0, None, False)
    assert line3[7][4:6] == (None, "<25")
    first = result.rows.row(0, named=True)
    assert (first["edition"], first["commodity_code"], first["mineral"]) == (
        2024,
        "raree",
        "rare_earths",
    )
    assert (first["column_raw"], first["column_number"]) == ("USprod_Concentrate_t", 4)


def test_fixture_rejects_and_line_accounting() -> None:
    result = read_usgs_salient_file(FIXTURE)
    # Lines 2, 3 kept; 4 is commas and 7 a footnote (no year, no value): not data lines.
    assert sorted(result.rows["source_line"].unique().to_list()) == [2, 3]
    rejects = result.rejects.sort("source_line")
    assert rejects["source_line"].to_list() == [5, 6]
    assert rejects["reason"][0].startswith("Year is empty")
    assert rejects["reason"][1].startswith("column USprod_Concentrate_t: value '12x4' is not a")
    assert result.rows.height == 16


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("NIR_pct", ("net_import_reliance_pct", None, "pct")),
        ("NIR_Concentrate_t", ("net_import_reliance_pct", "Concentrate", "pct")),
        ("NIR_ct", ("net_import_reliance_pct", None, "pct")),
        ("NIR_Refinedpct", ("net_import_reliance_pct", "Refined", "pct")),
        ("USprod_Minet", ("us_production", "Mine", "t")),
        ("Imports_Metalkg", ("imports", "Metal", "kg")),
        ("Bauxite_Imports_kt", ("imports", "Bauxite", "kt")),
        ("Consump_Reported_t", ("reported_consumption", "Reported", "t")),
        ("Consump_kt", ("consumption", None, "kt")),
        ("Stocks_", ("stocks", None, None)),
        ("CASE STATEMENT ERRORkt", ("unlabelled", None, "kt")),
        ("Furnace_BOF_mmt", ("other", "Furnace_BOF", "mmt")),
    ],
)
def test_column_labels_map_to_one_measure(label: str, expected: tuple[object, ...]) -> None:
    column = parse_salient_column(3, label)
    assert column is not None
    assert (column.measure, column.qualifier, column.unit) == expected


def test_value_tokens() -> None:
    assert parse_value("500–14,000", "Price_dt").flag == "500–14,000"
    assert parse_value(">50%", "NIR_pct").flag == ">50%"
    assert parse_value("Less than ½ unit.", "NIR_pct").flag == "Less than ½ unit."
    assert parse_value(" 7,900 ", "Imports_t").value == 7900.0
    assert parse_value("1.5.2", "Imports_t").problem is not None


@needs_real
def test_real_2022_and_2024_net_import_reliance_is_one_measure() -> None:
    """Cobalt prints `NIR_pct` (2022), rare earths `NIR_Concentrate_t` (2022 and 2024) for the
    same percentage: one measure `net_import_reliance_pct`, unit pct."""
    cobalt = read_usgs_salient_file(MCS2022 / "cobalt_mcs2022-cobal_salient.csv").rows
    ree_2022 = read_usgs_salient_file(MCS2022 / "rare_earths_mcs2022-raree_salient.csv").rows
    ree_2024 = read_usgs_salient_file(MCS2024 / "mcs2024-raree_salient.csv").rows
    nir = pl.col("measure") == "net_import_reliance_pct"
    assert cobalt.filter(nir).select("column_raw", "year", "value", "unit").rows()[-1] == (
        "NIR_pct",
        2021,
        76.0,
        "pct",
    )
    for rows, edition in ((ree_2022, 2022), (ree_2024, 2024)):
        concentrate = rows.filter(nir, pl.col("qualifier") == "Concentrate", pl.col("year") == 2021)
        assert concentrate.select(
            "edition", "column_raw", "value", "value_flag", "unit"
        ).rows() == [(edition, "NIR_Concentrate_t", None, "E", "pct")]
    # Compounds-metals 2021: ">90" in MCS2022, revised to ">95" in MCS2024.
    compounds = [
        rows.filter(nir, pl.col("qualifier") == "Compounds-Metals", pl.col("year") == 2021)[
            "value_flag"
        ].to_list()
        for rows in (ree_2022, ree_2024)
    ]
    assert compounds == [[">90"], [">95"]]
    # Rare-earth apparent consumption is printed as plain `Consump_Compounds-Metals_t`.
    assert ree_2024.filter(pl.col("year") == 2021, pl.col("measure") == "consumption")[
        "value"
    ].to_list() == [7900.0]
