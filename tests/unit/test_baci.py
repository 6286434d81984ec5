"""Tests for ingest.baci.reader: CEPII BACI trade files and companion code files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from repo_paths import FIXTURES, REALDATA

from ingest._result import REJECT_SCHEMA
from ingest.baci.reader import (
    BACI_COUNTRY_CODES_SCHEMA,
    BACI_PRODUCT_CODES_SCHEMA,
    BACI_TRADE_SCHEMA,
    read_baci_country_codes,
    read_baci_folder,
    read_baci_product_codes,
    read_baci_trade_file,
)

FIXTURES = FIXTURES / "baci"
TRADE = FIXTURES / "BACI_HS17_Y2023_V202501.csv"
COUNTRIES_V202501 = FIXTURES / "country_codes_V202501.csv"
PRODUCTS_HS22 = FIXTURES / "product_codes_HS22_V202401b.csv"
REALDATA = REALDATA
BACI_CODES_V202301 = REALDATA / "reference" / "baci_codes_V202301"
needs_baci_codes = pytest.mark.skipif(
    not BACI_CODES_V202301.is_dir(),
    reason=f"real BACI V202301 code files not present at {BACI_CODES_V202301}",
)


# --- trade files -------------------------------------------------------------------------------


def test_trade_rows_typed_and_computed_by_hand() -> None:
    result, _ = read_baci_trade_file(TRADE)
    assert result.rows.schema == pl.Schema(BACI_TRADE_SCHEMA)
    assert result.rows.select(
        "source_line", "year", "exporter_code", "importer_code", "hs6", "value_usd", "quantity_t"
    ).rows() == [
        (2, 2023, 156, 699, "284690", 12500.0, 3.2),  # v = 12.5 thousand USD
        (4, 2023, 842, 251, "260500", 7000.0, None),  # empty q
        (6, 2023, 842, 251, "810520", 1250.0, None),  # q padded "         NA"
        (13, 2023, 757, 699, "811292", 2000.0, 0.004),
        (15, 2023, 842, 156, "850760", 1.0, None),  # q "NA"
    ]
    assert result.rows["hs_revision"].unique().to_list() == ["HS17"]
    assert result.rows["source"].unique().to_list() == ["baci"]
    assert result.rows["source_file"].unique().to_list() == [TRADE.name]


def test_trade_rejects_name_line_and_reason() -> None:
    result, _ = read_baci_trade_file(TRADE)
    assert result.rejects.schema == pl.Schema(REJECT_SCHEMA)
    rejects = dict(zip(result.rejects["source_line"], result.rejects["reason"], strict=True))
    assert sorted(rejects) == [7, 8, 9, 10, 11, 12, 14]
    assert rejects[7] == "duplicate key (t=2023, i=156, j=699, k=284690), first loaded from line 2"
    assert rejects[8] == "v -3 is negative; expected a value >= 0"
    assert rejects[9].startswith("v 'abc' is not a number")
    assert rejects[10] == (
        "unknown BACI country code 999 (exporter i); "
        "expected a code listed in ingest/data/countries.csv"
    )
    assert rejects[11] == (
        f"t 2022 differs from the year in the file name {TRADE.name}; expected 2023"
    )
    assert rejects[12] == "q -2 is negative; expected a quantity >= 0"
    assert rejects[14].startswith("v is empty")
    raw = dict(zip(result.rejects["source_line"], result.rejects["raw_record"], strict=True))
    assert raw[9] == "2023,842,699,261710,abc,1"
    assert raw[14] == "2023,842,699,282560,,1"


def test_trade_counts_add_up() -> None:
    result, read = read_baci_trade_file(TRADE)
    # 14 lines after the header, one of them blank; line 3 (k=10121 = 010121, horses) is out of
    # scope even though BACI dropped its leading zero.
    assert (read.rows_in, read.rows_loaded, read.rows_rejected, read.rows_out_of_scope) == (
        13,
        5,
        7,
        1,
    )
    assert read.rows_in == read.rows_loaded + read.rows_rejected + read.rows_out_of_scope
    assert read.rows_loaded == result.rows.height
    assert read.rows_rejected == result.rejects.height
    assert read.source_file == TRADE.name


def test_leading_zero_is_restored_before_the_scope_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    # With horses (010121) made a critical code, the row written `10121` must be in scope.
    from ingest.reference import lookup as reference

    codes = reference.critical_hs6_codes() | {"010121"}
    monkeypatch.setattr(reference, "critical_hs6_codes", lambda: codes)
    result, read = read_baci_trade_file(TRADE)
    assert read.rows_out_of_scope == 0
    assert result.rows.filter(pl.col("source_line") == 3)["hs6"].to_list() == ["010121"]


def test_crlf_file_reads_like_lf(tmp_path: Path) -> None:
    crlf = tmp_path / TRADE.name
    crlf.write_bytes(TRADE.read_bytes().replace(b"\n", b"\r\n"))
    lf_result, lf_read = read_baci_trade_file(TRADE)
    crlf_result, crlf_read = read_baci_trade_file(crlf)
    assert crlf_result.rows.equals(lf_result.rows)
    assert crlf_result.rejects.equals(lf_result.rejects)
    assert crlf_read.rows_in == lf_read.rows_in


def test_file_without_revision_or_year_in_its_name(tmp_path: Path) -> None:
    path = tmp_path / "trade_extract.csv"
    path.write_text("t,i,j,k,v,q\n2021,842,699,260500,1,2\n2022,842,699,260500,1,2\n")
    result, read = read_baci_trade_file(path, source="demo")
    assert result.rows["year"].to_list() == [2021, 2022]
    assert result.rows["hs_revision"].to_list() == [None, None]
    assert result.rows["source"].unique().to_list() == ["demo"]
    assert read.rows_rejected == 0


def test_missing_column_raises_naming_file_and_header(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS17_Y2023_V202501.csv"
    path.write_text("t,i,j,k,v\n2023,842,699,260500,1\n")
    with pytest.raises(ValueError, match=re.escape("lacks column(s) q")) as error:
        read_baci_trade_file(path)
    assert str(path) in str(error.value)
    assert "t,i,j,k,v,q" in str(error.value)


def test_empty_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS17_Y2023_V202501.csv"
    path.write_text("")
    with pytest.raises(ValueError, match="file is empty; expected a header line `t,i,j,k,v,q`"):
        read_baci_trade_file(path)


# --- code files -------------------------------------------------------------------------------


def test_country_codes_v202501_layout() -> None:
    result = read_baci_country_codes(COUNTRIES_V202501)
    assert result.rows.schema == pl.Schema(BACI_COUNTRY_CODES_SCHEMA)
    assert result.rows.select("country_code", "country_name", "iso2", "iso3").rows() == [
        (4, "Afghanistan", "AF", "AFG"),
        (251, "France", "FR", "FRA"),
        (490, "Other Asia, nes", None, None),
        (842, "USA", "US", "USA"),
    ]
    assert result.rejects.select("source_line", "reason").rows() == [
        (7, "country_code 'x12' is not an integer; expected a BACI country code"),
        (8, "duplicate country_code 251, first on line 3"),
    ]


def test_product_codes_zero_padded_with_revision() -> None:
    result = read_baci_product_codes(PRODUCTS_HS22)
    assert result.rows.schema == pl.Schema(BACI_PRODUCT_CODES_SCHEMA)
    assert result.rows.select("hs6", "description", "hs_revision").rows() == [
        ("010121", "Horses: live, pure-bred breeding animals", "HS22"),
        ("284690", "Compounds of rare-earth metals", "HS22"),
        ("260500", "Cobalt ores and concentrates", "HS22"),
    ]
    assert result.rejects["source_line"].to_list() == [6, 7]
    assert result.rejects["reason"][1] == "duplicate code 010121, first on line 2"


def test_unknown_country_code_layout_raises(tmp_path: Path) -> None:
    path = tmp_path / "country_codes_V209901.csv"
    path.write_text("code,name\n4,Afghanistan\n")
    with pytest.raises(ValueError, match="country_codes_V209901.csv, line 1: header `code,name`"):
        read_baci_country_codes(path)


@needs_baci_codes
def test_real_v202301_code_files() -> None:
    countries = read_baci_country_codes(BACI_CODES_V202301 / "country_codes_V202301.csv")
    assert countries.rejects.height == 0
    assert countries.rows.height == 238  # 239 lines, header included
    by_code = {row[0]: row[1:] for row in countries.rows.select(pl.exclude("source_file")).rows()}
    assert by_code[842] == ("USA", "US", "USA")
    assert by_code[251] == ("France", "FR", "FRA")
    assert by_code[490] == ("Other Asia, nes", None, None)

    quoted = read_baci_product_codes(BACI_CODES_V202301 / "product_codes_HS17_V202301.csv")
    unquoted = read_baci_product_codes(BACI_CODES_V202301 / "product_codes_HS92_V202301.csv")
    assert (quoted.rows.height, quoted.rejects.height) == (5384, 0)
    assert (unquoted.rows.height, unquoted.rejects.height) == (5021, 0)
    assert quoted.rows["hs6"][0] == "010121"
    assert unquoted.rows["hs6"][0] == "010111"
    assert quoted.rows["hs6"].str.len_chars().unique().to_list() == [6]
    assert quoted.rows["hs_revision"].unique().to_list() == ["HS17"]
    assert unquoted.rows["hs_revision"].unique().to_list() == ["HS92"]


# --- folders ----------------------------------------------------------------------------------


def test_folder_reads_all_three_kinds_and_ignores_others(tmp_path: Path) -> None:
    for fixture in (TRADE, COUNTRIES_V202501, PRODUCTS_HS22):
        shutil.copy(fixture, tmp_path / fixture.name)
    (tmp_path / "Readme.txt").write_text("BACI release notes\n")
    (tmp_path / "BACI_HS17_V202501.zip").write_bytes(b"PK")
    read = read_baci_folder(tmp_path)
    assert set(read.tables) == {"baci_trade", "baci_country_codes", "baci_product_codes"}
    assert read.tables["baci_trade"].height == 5
    assert read.tables["baci_country_codes"].height == 4
    assert read.tables["baci_product_codes"].height == 3
    assert read.rejects.height == 7 + 2 + 2
    counts = {f.source_file: (f.rows_in, f.rows_loaded, f.rows_rejected) for f in read.files}
    assert counts == {
        TRADE.name: (13, 5, 7),
        COUNTRIES_V202501.name: (6, 4, 2),
        PRODUCTS_HS22.name: (5, 3, 2),
    }


def test_absent_folder_gives_three_empty_tables(tmp_path: Path) -> None:
    read = read_baci_folder(tmp_path / "missing")
    assert read.files == ()
    assert read.rejects.schema == pl.Schema(REJECT_SCHEMA)
    schemas = {
        "baci_trade": BACI_TRADE_SCHEMA,
        "baci_country_codes": BACI_COUNTRY_CODES_SCHEMA,
        "baci_product_codes": BACI_PRODUCT_CODES_SCHEMA,
    }
    for name, schema in schemas.items():
        assert read.tables[name].height == 0
        assert read.tables[name].schema == pl.Schema(schema)


@needs_baci_codes
def test_every_real_v202301_country_code_is_mapped_or_listed_with_a_reason() -> None:
    from ingest.baci.reader import BACI_HISTORICAL_CODES, BACI_UNMAPPED_CODES, baci_code_iso3

    countries = read_baci_country_codes(BACI_CODES_V202301 / "country_codes_V202301.csv").rows
    unaccounted = []
    for code, name, iso3 in countries.select("country_code", "country_name", "iso3").rows():
        mapped = baci_code_iso3(code)
        if mapped is None and code not in BACI_UNMAPPED_CODES:
            unaccounted.append((code, name))
        if code in BACI_HISTORICAL_CODES:
            # a historical code maps to the ISO3 BACI itself gives it
            assert mapped == iso3, (code, name)
        assert not (mapped is not None and code in BACI_UNMAPPED_CODES), code
    assert unaccounted == []
    assert baci_code_iso3(490) == "TWN"
    assert baci_code_iso3(58) == "BEL"
    assert sorted(BACI_UNMAPPED_CODES) == [200, 278, 530, 697, 810, 891]


# --- the block reader: k-only pre-filter, candidate lines cut out of blocks, checksum ---------


def _many_rows_file(tmp_path: Path, special: dict[int, str], rows: int = 3000) -> Path:
    """A trade file of `rows` data lines, out of scope (k=10121, horses) except the lines of
    `special` (physical line number -> line text without its line end)."""
    lines = ["t,i,j,k,v,q"]
    for number in range(2, rows + 2):
        lines.append(special.get(number, f"2023,842,{number % 900 + 4},10121,1.5,2"))
    path = tmp_path / "BACI_HS17_Y2023_V202501.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("block_bytes", [1 << 10, 7_777, 16 << 20])
def test_bad_fields_inside_big_blocks_are_quarantined_on_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    import ingest.baci.reader as baci

    monkeypatch.setattr(baci, "BLOCK_BYTES", block_bytes)
    special = {
        57: "2023,842,251,260500,7,",  # loads
        58: "",  # blank: not a row
        999: "2023,842,251,260500,abc,1",  # bad v in scope
        1000: "2023,842,251,260500,8,x1",  # bad q in scope
        1500: "2023,842,251,0260500,8,1",  # zero-padded to 7 digits: not an HS6 code
        1501: "2023,842,251,+260500,8,1",  # signed: not an HS6 code
        1502: "2023,842,251,  010121 ,8,1",  # padded horses: out of scope
        1503: "2023,842,699, 260500 ,9,1",  # padded in-scope code: loads as 260500
        2000: "2023,842,251,26O500,8,1",  # letter O: not an HS6 code
        2001: ",,,,,",  # blank: not a row
        2500: "2023,84x,251,811292,1,1",  # bad exporter in scope
        3001: "2023,842,156,850760,0.001,NA",  # last line, loads
    }
    path = _many_rows_file(tmp_path, special)
    result, read = read_baci_trade_file(path)
    assert result.rows["source_line"].to_list() == [57, 1503, 3001]
    assert result.rows["hs6"].to_list() == ["260500", "260500", "850760"]
    rejects = dict(zip(result.rejects["source_line"], result.rejects["reason"], strict=True))
    assert rejects == {
        999: "v 'abc' is not a number; expected a number (thousand USD)",
        1000: "q 'x1' is not a number; expected metric tonnes, empty or NA",
        1500: "k '0260500' is not an HS6 code; expected 1 to 6 digits",
        1501: "k '+260500' is not an HS6 code; expected 1 to 6 digits",
        2000: "k '26O500' is not an HS6 code; expected 1 to 6 digits",
        2500: "i '84x' is not a number; expected an integer BACI country code",
    }
    raw = dict(zip(result.rejects["source_line"], result.rejects["raw_record"], strict=True))
    assert raw[999] == "2023,842,251,260500,abc,1"
    assert raw[1500] == "2023,842,251,0260500,8,1"
    assert read.rows_in == 3000 - 2  # two blank lines
    assert (read.rows_loaded, read.rows_rejected) == (3, 6)
    assert read.rows_out_of_scope == read.rows_in - 3 - 6


def test_block_size_does_not_change_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.baci.reader as baci
    from ingest.reference import lookup as reference

    known = sorted(c for c in reference.countries()["baci_code"].drop_nulls() if c != 842)
    special = {n: f"2023,842,{known[n // 37]},260500,{n},1" for n in range(2, 3002, 37)}
    special[40] = "2023,842,251,260500,,1"  # rejected: empty v
    path = _many_rows_file(tmp_path, special)
    outcomes = []
    for block_bytes in (100, 4_096, 65_536, 16 << 20):
        monkeypatch.setattr(baci, "BLOCK_BYTES", block_bytes)
        outcomes.append(read_baci_trade_file(path))
    (first_result, first_read), *others = outcomes
    assert first_result.rows.height == len(special) - 1
    for result, read in others:
        assert result.rows.equals(first_result.rows)
        assert result.rejects.equals(first_result.rejects)
        assert read == first_read


def test_block_falls_back_to_a_full_text_parse_when_line_counts_disagree() -> None:
    import numpy as np

    from ingest.baci.reader import _block_candidates, _block_scan, _candidate_prefilter, scope_codes

    block = b"".join(TRADE.read_bytes().splitlines(keepends=True)[1:])
    names = list("tijkvq")
    codes = scope_codes("HS17")
    expected = _block_scan(block, names, codes, 0, True).collect()
    wrong_ends = np.array([3, 9], dtype=np.int64)  # as if the block had two lines
    got = _block_candidates(block, wrong_ends, names, codes, _candidate_prefilter(codes), 0)
    assert got.equals(expected)
    ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
    cut = _block_candidates(block, ends, names, codes, _candidate_prefilter(codes), 0)
    assert cut.equals(expected)


def test_checksum_is_computed_while_reading_and_used_by_the_load_log(tmp_path: Path) -> None:
    import duckdb

    from warehouse.load import file_checksum, load_source_read

    shutil.copy(TRADE, tmp_path / TRADE.name)
    read = read_baci_folder(tmp_path)
    (trade,) = [f for f in read.files if f.source_file == TRADE.name]
    assert trade.checksum_sha256 == file_checksum(TRADE)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_source_read(con, read)
        logged = con.execute(
            "select checksum_sha256 from raw.load_log where source_file = ?", [TRADE.name]
        ).fetchall()
    assert logged == [(file_checksum(TRADE),)]
