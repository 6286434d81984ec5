"""UN Comtrade import reports in the dependency marts (mart_supplier_shares,
mart_import_dependency, mart_policy_exposure): a landing directory whose only trade files are
Comtrade extracts (annual and monthly, in the v1 CSV layout) -> the Comtrade reader -> raw ->
`dbt build` once -> values checked by hand. The real extracts in ../shared/realdata/comtrade/ (never
committed) are loaded beside the fixture files when present; their reporters (USA, CHN, AUS, COD)
and years (2020-2024) do not overlap the fixture's (IND, JPN; 2024-2025).

Codes: IND 699, JPN 392, CHN 156, MMR 104, VNM 704, COD 180; 899 "Areas, nes"; 0 World. Values
in USD (CIF as reported), flowCode M unless said.

Annual (freq A):
    IND 850511 (rare-earth magnets, stage component) 2024: World 1000, CHN 800, JPN 100, area 899
        50, and a mode-of-transport breakdown CHN motCode 2100 500 (never added).
        Shares of the World total: CHN 800/1000 = 0.8, JPN 100/1000 = 0.1 (the area is no
        supplier); coverage 0.8 + 0.1 = 0.9; HHI 0.8^2 + 0.1^2 = 0.64 + 0.01 = 0.65; 2 suppliers.
    IND 850511 2025: World 400, CHN 100, JPN 200 -> CHN 0.25, JPN 0.5 (top), HHI 0.0625 + 0.25 =
        0.3125, coverage 0.75.
    IND 2846 (heading: 284610 + 284690, both rare-earth compounds -> maps exactly) 2024: World 300,
        CHN 240, MMR 60 -> CHN 0.8, MMR 0.2, HHI 0.64 + 0.04 = 0.68, coverage 1.0.
    IND 8105 (heading: 810520 cobalt metal, but also 810530 and 810590, not in the commodity list
        -> not mapped) 2024: World 70, COD 70 -> no cobalt row.
    IND exports 850511 to CHN 2024: 5 (flowCode X, not an import report -> no row of its own).
    JPN 284690 2025, no World record: CHN 90, VNM 30 -> denominator the sum 120: CHN 0.75, VNM
        0.25, HHI 0.5625 + 0.0625 = 0.625, coverage 1.0.
    JPN 2846 2025 (heading): CHN 1000. JPN also reported 284690 for 2025, so the finer code counts
        and the heading does not (never both): CHN stays 90, not 1090.
Monthly (freq M), IND 850511:
    2025-03: World 100, CHN 90 -> china_share 0.9, HHI 0.81.
    2025-04: World 50, CHN 20, JPN 25 -> CHN 0.4, JPN 0.5 (top), HHI 0.16 + 0.25 = 0.41.
    2025-05: World 40, CHN 4, JPN 30 -> CHN 0.1, JPN 0.75 (top), HHI 0.01 + 0.5625 = 0.5725.
    JPN 284690 2025-04: CHN 60, no World -> CHN 1.0.
Policy register (inserted as the register loader writes it; no other trade source is loaded):
CHN-RE-2025, China's export licensing of 284690 and 850511 effective 2025-04-04, all destinations.
    Annual, reference year 2024: IND scope = 850511 only (the heading 2846 also holds 284610,
    outside the scope, so it does not count): exposed CHN 800 / World 1000 = 0.8. JPN reported
    nothing for 2024 -> no annual row.
    Monthly, effective month April 2025 (months_from_effective 0): IND March 90/100 = 0.9 (-1),
    April 20/50 = 0.4 (0), May 4/40 = 0.1 (+1); JPN April 60/60 = 1.0 (0, sum of partners).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dbt_fixtures import assert_gx_suites_pass_and_catch, built_reader, insert_policy_event
from repo_paths import REALDATA

from ingest._result import empty_rejects
from ingest.comtrade.reader import read_comtrade_folder
from ingest.reference.reader import reference_tables
from orchestration import expectations
from warehouse.load import load_source, load_source_read

REALDATA = REALDATA / "comtrade"

HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,"
    "aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,"
    "isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,"
    "isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)


def _line(
    year: int,
    month: int | None,
    reporter: int,
    partner: int,
    cmd: str,
    value: float,
    *,
    flow: str = "M",
    mot: int = 0,
) -> str:
    """One v1 CSV record; 1 kg per USD so weights are visible; CIF for M, FOB for X."""
    freq = "A" if month is None else "M"
    ref_month = 52 if month is None else month
    period = f"{year}" if month is None else f"{year}{month:02d}"
    ref_period = f"{year}0101" if month is None else f"{year}{month:02d}01"
    cif, fob = (value, "") if flow == "M" else ("", value)
    return (
        f"C,{freq},{ref_period},{year},{ref_month},{period},{reporter},,,{flow},,{partner},,,0,,,"
        f"H6,HS,True,{cmd},,,,C00,,0,{mot},,8,,{value},False,8,,{value},False,{value},False,0.0,"
        f"False,{cif},{fob},{value},0,True,False"
    )


ANNUAL = [
    _line(2024, None, 699, 0, "850511", 1000.0),
    _line(2024, None, 699, 156, "850511", 800.0),
    _line(2024, None, 699, 156, "850511", 500.0, mot=2100),
    _line(2024, None, 699, 392, "850511", 100.0),
    _line(2024, None, 699, 899, "850511", 50.0),
    _line(2025, None, 699, 0, "850511", 400.0),
    _line(2025, None, 699, 156, "850511", 100.0),
    _line(2025, None, 699, 392, "850511", 200.0),
    _line(2024, None, 699, 0, "2846", 300.0),
    _line(2024, None, 699, 156, "2846", 240.0),
    _line(2024, None, 699, 104, "2846", 60.0),
    _line(2024, None, 699, 0, "8105", 70.0),
    _line(2024, None, 699, 180, "8105", 70.0),
    _line(2024, None, 699, 156, "850511", 5.0, flow="X"),
    _line(2025, None, 392, 156, "284690", 90.0),
    _line(2025, None, 392, 704, "284690", 30.0),
    _line(2025, None, 392, 156, "2846", 1000.0),
]
MONTHLY = [
    _line(2025, 3, 699, 0, "850511", 100.0),
    _line(2025, 3, 699, 156, "850511", 90.0),
    _line(2025, 4, 699, 0, "850511", 50.0),
    _line(2025, 4, 699, 156, "850511", 20.0),
    _line(2025, 4, 699, 392, "850511", 25.0),
    _line(2025, 5, 699, 0, "850511", 40.0),
    _line(2025, 5, 699, 156, "850511", 4.0),
    _line(2025, 5, 699, 392, "850511", 30.0),
    _line(2025, 4, 392, 156, "284690", 60.0),
]

# (importer, frequency, year, month): every reporter and period of the fixture files.
FIXTURE_PERIODS = {
    ("IND", "annual", 2024, None),
    ("IND", "annual", 2025, None),
    ("IND", "monthly", 2025, 3),
    ("IND", "monthly", 2025, 4),
    ("IND", "monthly", 2025, 5),
    ("JPN", "annual", 2025, None),
    ("JPN", "monthly", 2025, 4),
}


def comtrade_only_landing(root: Path) -> Path:
    """A landing directory holding only Comtrade files: the fixture's annual and monthly CSVs, and
    the real extracts when ../shared has them."""
    folder = root / "comtrade"
    folder.mkdir(parents=True)
    (folder / "fixture_A_2024_2025.csv").write_text("\n".join([HEADER, *ANNUAL]) + "\n")
    (folder / "fixture_M_2025.csv").write_text("\n".join([HEADER, *MONTHLY]) + "\n")
    if REALDATA.is_dir():
        for path in sorted(REALDATA.glob("*.csv")):
            shutil.copy(path, folder / path.name)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    landing = comtrade_only_landing(tmp_path_factory.mktemp("comtrade_landing"))

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        load_source(con, "reference", reference_tables(), empty_rejects(), files=())
        read = read_comtrade_folder(landing / "comtrade")
        assert read.rejects.height == 0, read.rejects.head(3)
        load_source_read(con, read)
        insert_policy_event(
            con,
            1,
            "CHN-RE-2025",
            "CHN",
            "export_licensing",
            dt.date(2025, 4, 4),
            ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
            ["rare_earths"],
            ["284690", "850511"],
            [],
        )

    yield from built_reader(tmp_path_factory.mktemp("comtrade_dependency"), fill)


def _dependency(built: duckdb.DuckDBPyConnection, where: str, params: list[object]) -> list[tuple]:
    return built.execute(
        "select year, month, import_value_usd, supplier_count, top_supplier_iso3, "
        "top_supplier_share, hhi, china_share, partner_coverage_share, share_denominator "
        f"from marts.mart_import_dependency where trade_source = 'comtrade' and {where} "
        "order by year, month",
        params,
    ).fetchall()


def test_no_baci_rows_and_every_fixture_period_has_dependency_rows(
    built: duckdb.DuckDBPyConnection,
) -> None:
    assert built.execute(
        "select count(*) from marts.mart_import_dependency where trade_source = 'baci'"
    ).fetchone() == (0,)
    periods = {
        (importer, frequency, year, month)
        for importer, frequency, year, month in built.execute(
            "select importer_iso3, frequency, year, month from marts.mart_import_dependency "
            "where importer_iso3 in ('IND', 'JPN')"
        ).fetchall()
    }
    assert periods == FIXTURE_PERIODS


def test_annual_shares_of_the_world_total(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select year, exporter_iso3, value_usd, share, rank, import_value_usd, share_denominator "
        "from marts.mart_supplier_shares where trade_source = 'comtrade' and frequency = 'annual' "
        "and importer_iso3 = 'IND' and mineral = 'rare_earths' and stage = 'component' "
        "order by year, rank"
    ).fetchall()
    # 2024: the area 899 (50) and the mot-2100 breakdown (500) are not supplier rows.
    assert rows == [
        (2024, "CHN", 800.0, pytest.approx(0.8), 1, 1000.0, "world_total"),
        (2024, "JPN", 100.0, pytest.approx(0.1), 2, 1000.0, "world_total"),
        (2025, "JPN", 200.0, pytest.approx(0.5), 1, 400.0, "world_total"),
        (2025, "CHN", 100.0, pytest.approx(0.25), 2, 400.0, "world_total"),
    ]
    approx = pytest.approx
    assert _dependency(
        built, "importer_iso3 = 'IND' and stage = 'component' and frequency = 'annual'", []
    ) == [
        (2024, None, 1000.0, 2, "CHN", approx(0.8), approx(0.65), approx(0.8), approx(0.9),
         "world_total"),
        (2025, None, 400.0, 2, "JPN", approx(0.5), approx(0.3125), approx(0.25), approx(0.75),
         "world_total"),
    ]  # fmt: skip


def test_heading_maps_only_when_exact(built: duckdb.DuckDBPyConnection) -> None:
    # 2846 = 284610 + 284690, both rare-earth compounds: IND 2024 from its heading report.
    assert _dependency(
        built, "importer_iso3 = 'IND' and stage = 'compound' and mineral = 'rare_earths'", []
    ) == [
        (2024, None, 300.0, 2, "CHN", pytest.approx(0.8), pytest.approx(0.68), pytest.approx(0.8),
         pytest.approx(1.0), "world_total"),
    ]  # fmt: skip
    # 8105 also holds cobalt waste and articles (810530, 810590): not mapped, no cobalt row.
    assert built.execute(
        "select count(*) from marts.mart_supplier_shares where importer_iso3 = 'IND' "
        "and mineral = 'cobalt'"
    ).fetchone() == (0,)
    assert built.execute(
        "select heading_mapping, mineral, stage from intermediate.int_comtrade__heading_map "
        "where heading in ('2846', '8105') order by heading"
    ).fetchall() == [
        ("exact", "rare_earths", "compound"),
        ("covers_codes_outside_list", None, None),
    ]


def test_subheading_and_heading_are_never_both_counted(built: duckdb.DuckDBPyConnection) -> None:
    # JPN 2025 reported 284690 (CHN 90, VNM 30, no World) and 2846 (CHN 1000): 284690 counts.
    rows = built.execute(
        "select exporter_iso3, value_usd, share, share_denominator from marts.mart_supplier_shares "
        "where trade_source = 'comtrade' and frequency = 'annual' and importer_iso3 = 'JPN' "
        "and year = 2025 order by rank"
    ).fetchall()
    assert rows == [
        ("CHN", 90.0, pytest.approx(0.75), "sum_of_partners"),
        ("VNM", 30.0, pytest.approx(0.25), "sum_of_partners"),
    ]
    assert _dependency(built, "importer_iso3 = 'JPN' and frequency = 'annual'", [])[0][6] == (
        pytest.approx(0.625)
    )


def test_monthly_dependency_around_the_2025_controls(built: duckdb.DuckDBPyConnection) -> None:
    approx = pytest.approx
    assert _dependency(
        built, "importer_iso3 = 'IND' and stage = 'component' and frequency = 'monthly'", []
    ) == [
        (2025, 3, 100.0, 1, "CHN", approx(0.9), approx(0.81), approx(0.9), approx(0.9),
         "world_total"),
        (2025, 4, 50.0, 2, "JPN", approx(0.5), approx(0.41), approx(0.4), approx(0.9),
         "world_total"),
        (2025, 5, 40.0, 2, "JPN", approx(0.75), approx(0.5725), approx(0.1), approx(0.85),
         "world_total"),
    ]  # fmt: skip
    assert _dependency(built, "importer_iso3 = 'JPN' and frequency = 'monthly'", []) == [
        (2025, 4, 60.0, 1, "CHN", approx(1.0), approx(1.0), approx(1.0), approx(1.0),
         "sum_of_partners"),
    ]  # fmt: skip


def test_policy_exposure_annual_and_monthly(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select importer_iso3, trade_source, frequency, reference_year, month, "
        "months_from_effective, exposed_imports_usd, scope_imports_usd, exposure_share "
        "from marts.mart_policy_exposure where event_id = 'CHN-RE-2025' "
        "and importer_iso3 in ('IND', 'JPN') order by importer_iso3, frequency, month"
    ).fetchall()
    approx = pytest.approx
    assert rows == [
        ("IND", "comtrade", "annual", 2024, None, None, 800.0, 1000.0, approx(0.8)),
        ("IND", "comtrade", "monthly", 2025, 3, -1, 90.0, 100.0, approx(0.9)),
        ("IND", "comtrade", "monthly", 2025, 4, 0, 20.0, 50.0, approx(0.4)),
        ("IND", "comtrade", "monthly", 2025, 5, 1, 4.0, 40.0, approx(0.1)),
        ("JPN", "comtrade", "monthly", 2025, 4, 0, 60.0, 60.0, approx(1.0)),
    ]


def test_gx_suites_accept_comtrade_rows_and_catch_a_share_sum_above_one(
    built: duckdb.DuckDBPyConnection,
) -> None:
    suites = {
        expectations.IMPORT_DEPENDENCY_FRAME_SQL: expectations.import_dependency_suite,
    }
    # A Comtrade group whose supplier shares added up to more than the World total is caught.
    assert_gx_suites_pass_and_catch(
        built,
        suites,
        expectations.IMPORT_DEPENDENCY_FRAME_SQL,
        expectations.import_dependency_suite,
        "supplier_share_sum_deviation",
        0.2,
    )


@pytest.mark.skipif(
    not REALDATA.is_dir(), reason="real Comtrade extracts (../shared/realdata/comtrade) absent"
)
def test_real_extract_share_pinned_by_hand(built: duckdb.DuckDBPyConnection) -> None:
    """heavy_ree_trade_data.csv, reporter 842 (USA), flowCode M, refYear 2023, H6, totals
    (partner2Code 0, customsCode C00, motCode 0):
        cmdCode 2846, partner 156 (China): primaryValue 111,168,490
        cmdCode 2846, partner 0 (World):  primaryValue 181,268,698
        -> China's share of US rare-earth compound imports = 111168490 / 181268698 = 0.613280...
        cmdCode 280530, partner 156: 21,816,502; partner 0: 22,096,375
        -> China's share of US rare-earth metal imports = 21816502 / 22096375 = 0.987334...
    lithium_trade_data.csv, the same reporter, flow and year:
        cmdCode 253090, partner 156: 18,969,791; partner 0: 108,501,278
        -> 18969791 / 108501278 = 0.174835...; 253090 is shared by lithium and rare-earth
        concentrates, so it counts fully for rare_earths/ore_concentrate too (an upper bound).
    2846 maps to rare_earths/compound because both its subheadings (284610, 284690) do.
    """
    rows = built.execute(
        "select stage, china_share, import_value_usd, share_denominator "
        "from marts.mart_import_dependency where trade_source = 'comtrade' "
        "and frequency = 'annual' and importer_iso3 = 'USA' and mineral = 'rare_earths' "
        "and year = 2023 order by stage"
    ).fetchall()
    assert rows == [
        ("compound", pytest.approx(111168490 / 181268698, abs=1e-12), 181268698.0, "world_total"),
        ("metal", pytest.approx(21816502 / 22096375, abs=1e-12), 22096375.0, "world_total"),
        (
            "ore_concentrate",
            pytest.approx(18969791 / 108501278, abs=1e-12),
            108501278.0,
            "world_total",
        ),
    ]
    assert 111168490 / 181268698 == pytest.approx(0.613280, abs=1e-6)
    assert 21816502 / 22096375 == pytest.approx(0.987334, abs=1e-6)
    assert 18969791 / 108501278 == pytest.approx(0.174835, abs=1e-6)
