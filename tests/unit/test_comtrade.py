"""Tests for ingest.comtrade: v1 records from JSON response bodies and CSV extracts."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from repo_paths import FIXTURES, REALDATA

from ingest._result import REJECT_SCHEMA
from ingest.comtrade.reader import (
    COMTRADE_RECORDS_SCHEMA,
    TABLE,
    ComtradeFormatError,
    comtrade_country_iso3,
    flow_totals,
    parse_api_body,
    partner_shares,
    read_comtrade_file,
    read_comtrade_folder,
)
from ingest.reference import lookup as reference
from warehouse.access import writer
from warehouse.load import ensure_raw_schema, load_source_read

FIXTURES = FIXTURES / "comtrade"
ANNUAL_JSON = FIXTURES / "C_A_HS_r699.842_p2023.json"
MONTHLY_CSV = FIXTURES / "india_M_202504.csv"
REALDATA = REALDATA / "comtrade"


def _rows(path: Path) -> pl.DataFrame:
    return read_comtrade_file(path).tables[TABLE]


def test_comtrade_codes_resolve_to_countries_or_areas() -> None:
    # Comtrade's own codes (also BACI's) win over ISO M49, which maps 490 to nothing.
    assert reference.country_iso3_from_m49(490) is None
    assert comtrade_country_iso3(490) == "TWN"
    assert comtrade_country_iso3(842) == "USA"
    assert comtrade_country_iso3(699) == "IND"
    assert comtrade_country_iso3(251) == "FRA"
    assert comtrade_country_iso3(156) == "CHN"
    assert comtrade_country_iso3(392) == "JPN"
    # Areas are not countries; 492 is "Europe EU, nes" in Comtrade, not M49 Monaco.
    assert comtrade_country_iso3(0) is None
    assert comtrade_country_iso3(899) is None
    assert comtrade_country_iso3(492) is None
    assert comtrade_country_iso3(998) is None


def test_json_body_is_read_with_types_and_index_lines() -> None:
    read = read_comtrade_file(ANNUAL_JSON)
    rows = read.tables[TABLE]
    assert rows.schema == pl.Schema(COMTRADE_RECORDS_SCHEMA)
    assert read.rejects.schema == pl.Schema(REJECT_SCHEMA)
    (file_read,) = read.files
    assert (file_read.rows_in, file_read.rows_loaded, file_read.rows_rejected) == (14, 13, 1)
    # JSON lines are the record's index in `data` + 1: record 12 has partner 998.
    reject = read.rejects.row(0, named=True)
    assert reject["source_line"] == 12
    assert "field partnerCode: 998 is not a known Comtrade country or area code" in reject["reason"]
    assert '"partnerCode":998' in reject["raw_record"]
    assert rows["source_line"].to_list() == [*range(1, 12), 13, 14]

    first = rows.row(0, named=True)
    assert first == {
        "freq_code": "A",
        "ref_year": 2023,
        "ref_month": None,
        "period": "2023",
        "reporter_m49": 699,
        "reporter_iso3": "IND",
        "flow_code": "M",
        "partner_m49": 0,
        "partner_iso3": None,
        "is_world_partner": True,
        "partner2_m49": 0,
        "cmd_code": "850511",
        "customs_code": "C00",
        "mot_code": 0,
        "qty_unit_code": 8,
        "qty": 20.0,
        "net_weight_kg": 20.0,
        "cif_value_usd": 1000.0,
        "fob_value_usd": None,
        "primary_value_usd": 1000.0,
        "is_aggregate": False,
        "is_reported": True,
        "classification_code": "H6",
        "source": "comtrade",
        "source_file": ANNUAL_JSON.name,
        "source_line": 1,
    }
    partners = dict(zip(rows["partner_m49"], rows["partner_iso3"], strict=False))
    assert partners[490] == "TWN"
    assert partners[899] is None
    us_exports = rows.filter(pl.col("reporter_m49") == 842)
    assert us_exports["reporter_iso3"].unique().to_list() == ["USA"]
    assert us_exports["fob_value_usd"].to_list() == [500.0, 200.0]


def test_monthly_csv_rejects_each_bad_line_with_its_reason() -> None:
    read = read_comtrade_file(MONTHLY_CSV)
    rows = read.tables[TABLE]
    (file_read,) = read.files
    # Lines 2-14 less the blank line 4: 12 rows in.
    assert (file_read.rows_in, file_read.rows_loaded, file_read.rows_rejected) == (12, 4, 8)
    reasons = dict(read.rejects.select("source_line", "reason").iter_rows())
    assert list(reasons) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert "field reporterCode: 999 is not a known Comtrade country code" in reasons[5]
    assert "field partnerCode: 998 is not a known" in reasons[6]
    assert "field primaryValue: 'n/a' is not a number" in reasons[7]
    assert "field qty: -5.0 is negative, expected a value >= 0" in reasons[8]
    assert "field cmdCode: missing" in reasons[9]
    assert "field flowCode: 'DX' is not a known flow, expected one of M, X, RM, RX" in reasons[10]
    assert (
        "field period: '202503' does not match refYear/refMonth, expected '202504'" in (reasons[11])
    )
    assert "field reporterCode: 899 is an area, not a country" in reasons[12]
    raw_line_5 = read.rejects.filter(pl.col("source_line") == 5)["raw_record"].item()
    assert raw_line_5.startswith("C,M,20250401,2025,4,202504,999,")

    assert rows["source_line"].to_list() == [2, 3, 13, 14]
    assert rows["ref_month"].to_list() == [4, 4, 4, 4]
    assert rows["period"].to_list() == ["202504"] * 4
    assert rows["freq_code"].unique().to_list() == ["M"]
    assert rows["partner_iso3"].to_list() == ["CHN", None, "TWN", None]
    assert rows["is_world_partner"].to_list() == [False, True, False, False]
    assert rows["primary_value_usd"].to_list() == [120.5, 200.0, 30.0, 10.0]


def test_csv_commodity_codes_are_zero_padded_to_their_length(tmp_path: Path) -> None:
    header, good = MONTHLY_CSV.read_text(encoding="utf-8").splitlines()[:2]
    lines = [header, good.replace(",850511,", ",50710,"), good.replace(",850511,", ",810,")]
    lines.append(good.replace(",850511,", ",85051,1,"))
    path = tmp_path / "padded.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_comtrade_file(path)
    assert read.tables[TABLE]["cmd_code"].to_list() == ["050710", "0810"]
    (reason,) = read.rejects["reason"].to_list()
    assert reason.startswith("line has 48 fields, header has 47")


def test_csv_without_a_required_column_raises_naming_the_file(tmp_path: Path) -> None:
    header, good = MONTHLY_CSV.read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "no_flow.csv"
    path.write_text(header.replace("flowCode", "flow") + "\n" + good + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no_flow\.csv: line 1: header lacks .*flowCode"):
        read_comtrade_file(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.json", r"truncated\.json: not valid JSON .* probably truncated"),
        ("rate_limited.json", r"rate_limited\.json: the API returned an error payload "),
        ("count_mismatch.json", r"count_mismatch\.json: `count` is 5 but `data` holds 3 records"),
    ],
)
def test_unreadable_json_bodies_raise_naming_the_file(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_comtrade_file(FIXTURES / "broken" / name)


def test_error_payload_message_is_in_the_error() -> None:
    with pytest.raises(ComtradeFormatError, match="Try again in 3 seconds"):
        parse_api_body(
            '{"elapsedTime": "0 secs", "count": 0, "data": [], "error": "Try again in 3 seconds"}',
            "body",
        )


def test_empty_result_is_a_valid_body_with_zero_records() -> None:
    body = parse_api_body((FIXTURES / "api" / "empty.json").read_text(encoding="utf-8"), "x")
    assert (body.count, body.records) == (0, [])


def test_folder_reads_top_level_and_raw_files_and_skips_the_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "comtrade"
    (folder / "raw").mkdir(parents=True)
    shutil.copy(MONTHLY_CSV, folder / MONTHLY_CSV.name)
    shutil.copy(ANNUAL_JSON, folder / "raw" / ANNUAL_JSON.name)
    (folder / "raw" / "_manifest.json").write_text('{"format": 1, "chunks": {}}')
    (folder / "raw" / ".partial.json.123.tmp").write_text('{"elapsedTi')
    (folder / "notes.txt").write_text("not data")
    read = read_comtrade_folder(folder)
    assert sorted(f.source_file for f in read.files) == [ANNUAL_JSON.name, MONTHLY_CSV.name]
    assert read.tables[TABLE].height == 13 + 4
    assert read.rejects.height == 1 + 8
    for file_read in read.files:
        assert file_read.rows_in == file_read.rows_loaded + file_read.rows_rejected


def test_same_file_name_in_folder_and_raw_is_refused(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    shutil.copy(ANNUAL_JSON, tmp_path / ANNUAL_JSON.name)
    shutil.copy(ANNUAL_JSON, tmp_path / "raw" / ANNUAL_JSON.name)
    with pytest.raises(ValueError, match="have the same file name"):
        read_comtrade_folder(tmp_path)


def test_absent_folder_gives_a_zero_row_typed_frame(tmp_path: Path) -> None:
    read = read_comtrade_folder(tmp_path / "missing")
    assert read.files == ()
    assert read.tables[TABLE].height == 0
    assert read.tables[TABLE].schema == pl.Schema(COMTRADE_RECORDS_SCHEMA)


def test_flow_totals_avoid_the_double_count_of_breakdown_rows() -> None:
    rows = _rows(ANNUAL_JSON)
    india_magnets = rows.filter((pl.col("reporter_m49") == 699) & (pl.col("cmd_code") == "850511"))
    # All rows: totals 1000 + 800 + 100 + 50 + 30, plus breakdowns by mode of transport
    # (700 + 100 by China, 850 World) and by second partner (200): 3830.
    assert india_magnets["primary_value_usd"].sum() == pytest.approx(3830.0)
    totals = flow_totals(india_magnets)
    assert totals["primary_value_usd"].sum() == pytest.approx(1980.0)
    assert totals.height == 5
    world = totals.filter(pl.col("is_world_partner"))["primary_value_usd"].to_list()
    assert world == [1000.0]


def test_partner_shares_use_the_world_row_when_present_else_the_partner_sum() -> None:
    shares = partner_shares(_rows(ANNUAL_JSON))
    got = {
        (r["reporter_m49"], r["cmd_code"], r["partner_m49"]): (
            r["share"],
            r["denominator"],
            r["denominator_usd"],
        )
        for r in shares.iter_rows(named=True)
    }
    assert got == {
        # India 850511: World row 1000 (breakdown rows excluded).
        (699, "850511", 156): (pytest.approx(0.8), "world_total", 1000.0),
        (699, "850511", 392): (pytest.approx(0.1), "world_total", 1000.0),
        (699, "850511", 490): (pytest.approx(0.05), "world_total", 1000.0),
        (699, "850511", 899): (pytest.approx(0.03), "world_total", 1000.0),
        # India 284690: no World row, so 300 / (300 + 100) and 100 / 400.
        (699, "284690", 156): (pytest.approx(0.75), "sum_of_partners", 400.0),
        (699, "284690", 842): (pytest.approx(0.25), "sum_of_partners", 400.0),
        # US exports 850511: 200 / 500.
        (842, "850511", 156): (pytest.approx(0.4), "world_total", 500.0),
    }
    taiwan = shares.filter(pl.col("partner_m49") == 490)
    assert taiwan["partner_iso3"].to_list() == ["TWN"]


def test_rows_load_into_the_declared_raw_table(tmp_path: Path) -> None:
    folder = tmp_path / "comtrade"
    folder.mkdir()
    shutil.copy(ANNUAL_JSON, folder)
    shutil.copy(MONTHLY_CSV, folder)
    read = read_comtrade_folder(folder)
    with writer(tmp_path / "warehouse.duckdb") as con:
        ensure_raw_schema(con)
        declared = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'comtrade_records' "
                "order by ordinal_position"
            ).fetchall()
        ]
        assert declared == list(COMTRADE_RECORDS_SCHEMA)
        load = load_source_read(con, read)
        assert load.table_rows == {TABLE: 17}
        assert con.execute("select count(*) from raw.comtrade_records").fetchone() == (17,)
        assert con.execute(
            "select count(*) from raw.quarantine where source = 'comtrade'"
        ).fetchone() == (9,)
        assert con.execute(
            "select sum(primary_value_usd) from raw.comtrade_records "
            "where reporter_iso3 = 'IND' and period = '202504'"
        ).fetchone() == (360.5,)


@pytest.mark.skipif(not REALDATA.is_dir(), reason="real Comtrade extracts not available here")
def test_real_extracts_load_completely_and_totals_are_smaller() -> None:
    read = read_comtrade_folder(REALDATA)
    rows = read.tables[TABLE]
    for file_read in read.files:
        assert file_read.rows_in == file_read.rows_loaded + file_read.rows_rejected
    assert read.rejects.height == 0, read.rejects.head(3)
    assert rows.height == sum(f.rows_in for f in read.files)
    assert set(rows["reporter_iso3"].unique()) <= {"USA", "CHN", "AUS", "COD"}
    assert rows["reporter_iso3"].null_count() == 0
    assert set(rows["freq_code"].unique()) == {"A"}
    assert rows["ref_month"].null_count() == rows.height
    # The real extracts carry mode-of-transport breakdowns (motCode 1000, 2100, 9900) next to
    # the totals: only flow_totals may be summed.
    assert rows.filter(pl.col("mot_code") != 0).height > 0
    assert flow_totals(rows)["primary_value_usd"].sum() < rows["primary_value_usd"].sum()
    assert set(rows["cmd_code"].str.len_chars().unique()) <= {4, 6}
