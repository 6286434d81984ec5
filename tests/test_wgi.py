"""The WGI DataBank reader on a fixture in the published export format (BOM, CRLF, `..`, footer)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingest import wgi

FIXTURES = Path(__file__).parent / "fixtures" / "wgi"
EXPORT = FIXTURES / "WGI_DataBank_export.csv"


def test_rows_in_equals_loaded_plus_rejected() -> None:
    read = wgi.read_wgi_folder(FIXTURES, source="wgi")
    (file_read,) = read.files
    # Data lines: 2-8, 10, 11 = 9 (line 9 is a line of commas, 12-13 are blank, 14-15 are the
    # `Data from database` / `Last Updated` footer). Loaded: CHN PV, CHN CC, IND, KOR, XKX = 5;
    # rejected: MMR (all ..), JPN (n/a), AU (2-letter code), second CHN PV line = 4.
    assert (file_read.rows_in, file_read.rows_loaded, file_read.rows_rejected) == (9, 5, 4)
    assert read.tables["wgi_governance"]["source_line"].n_unique() == 5


def test_long_rows_skip_missing_years_and_keep_values() -> None:
    rows = wgi.read_wgi_file(EXPORT).rows
    # 3 + 2 (one `..`) + 3 + 3 + 3 = 14 rows.
    assert rows.height == 14
    china_cc = rows.filter((pl.col("country_code") == "CHN") & (pl.col("series_code") == "CC.EST"))
    assert china_cc.select("year", "value").rows() == [(2021, -0.0679), (2023, 0.0535)]
    assert china_cc["source_line"].unique().to_list() == [3]
    korea = rows.filter(pl.col("country_code") == "KOR")
    assert korea["country_name"].unique().to_list() == ["Korea, Rep."]
    assert rows.schema == pl.Schema(wgi.WGI_SCHEMA)


def test_world_bank_only_codes_keep_the_code_without_iso3() -> None:
    rows = wgi.read_wgi_file(EXPORT).rows
    kosovo = rows.filter(pl.col("country_code") == "XKX")
    assert kosovo.height == 3
    assert kosovo["country_iso3"].null_count() == 3
    assert rows.filter(pl.col("country_code") == "IND")["country_iso3"].unique().to_list() == [
        "IND"
    ]


def test_rejects_name_line_column_and_expectation() -> None:
    rejects = {
        line: reason
        for line, reason in wgi.read_wgi_file(EXPORT)
        .rejects.select("source_line", "reason")
        .iter_rows()
    }
    assert set(rejects) == {7, 8, 10, 11}
    assert "no number in any year column" in rejects[7]
    assert "column 2022 [YR2022]: value 'n/a' is not a number" in rejects[8]
    assert "Country Code 'AU' is not a 3-letter code" in rejects[10]
    assert "second line for Country Code CHN and Series Code PV.EST" in rejects[11]
    assert "first on line 2" in rejects[11]


def test_bad_header_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "wgi.csv"
    bad.write_text("Country,Code,2023\nChina,CHN,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"wgi\.csv, line 1: header starts"):
        wgi.read_wgi_file(bad)
    no_years = tmp_path / "no_years.csv"
    no_years.write_text("Country Name,Country Code,Series Name,Series Code,Total\n", "utf-8")
    with pytest.raises(ValueError, match="no year column"):
        wgi.read_wgi_file(no_years)


def test_absent_folder_is_an_empty_source(tmp_path: Path) -> None:
    read = wgi.read_wgi_folder(tmp_path / "missing")
    assert read.tables["wgi_governance"].height == 0
    assert read.files == ()
