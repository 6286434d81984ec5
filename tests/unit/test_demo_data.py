"""The synthetic demo landing directory: formats, determinism and market shape."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest

from critmin import demo_data
from critmin.demo_data import (
    DEFAULT_SEED,
    DEMO_SOURCE,
    YEARS,
    DemoSummary,
    ensure_demo_data,
    is_demo_dir,
    policy_register_path,
    write_demo_data,
)
from ingest.reference import lookup as reference

BOM = b"\xef\xbb\xbf"
USGS_CODES = ("raree", "lithi", "cobal", "graph", "galli", "germa", "nicke", "tungs", "antim")
BACI = {"CHN": 156, "IND": 699, "JPN": 392, "USA": 842, "DEU": 276, "IDN": 360}
THREE_DECIMALS = re.compile(r"^\d+\.\d{3}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    return write_demo_data(tmp_path_factory.mktemp("demo"), seed=DEFAULT_SEED)


def _all_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _baci_year(demo: DemoSummary, year: int) -> pl.DataFrame:
    path = demo.out_dir / "baci" / f"BACI_HS17_Y{year}_V202501.csv"
    return pl.read_csv(path, schema_overrides={"v": pl.Utf8, "q": pl.Utf8})


def _baci_all(demo: DemoSummary) -> pl.DataFrame:
    return pl.concat([_baci_year(demo, year) for year in YEARS]).with_columns(
        pl.col("v").cast(pl.Float64)
    )


def _usgs_records(demo: DemoSummary, code: str) -> list[list[str]]:
    raw = (demo.out_dir / "usgs_mcs" / f"mcs2024-{code}_world.csv").read_bytes()
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_same_seed_is_byte_identical_and_another_seed_differs(
    demo: DemoSummary, tmp_path: Path
) -> None:
    again = write_demo_data(tmp_path / "again", seed=DEFAULT_SEED)
    other = write_demo_data(tmp_path / "other", seed=DEFAULT_SEED + 1)

    assert _all_bytes(again.out_dir) == _all_bytes(demo.out_dir)
    first, second = _all_bytes(demo.out_dir), _all_bytes(other.out_dir)
    assert first.keys() == second.keys()
    changed = {name for name in first if first[name] != second[name]}
    assert all(f"baci/BACI_HS17_Y{year}_V202501.csv" in changed for year in YEARS)
    assert "usgs_mcs/mcs2024-raree_world.csv" in changed


def test_summary_lists_every_written_file_with_its_rows(demo: DemoSummary) -> None:
    written = {
        path.relative_to(demo.out_dir).as_posix()
        for path in demo.out_dir.rglob("*")
        if path.is_file()
    }
    assert set(demo.rows_by_file) == written
    for year in YEARS:
        name = f"baci/BACI_HS17_Y{year}_V202501.csv"
        lines = (demo.out_dir / name).read_bytes().count(b"\n")
        assert demo.rows_by_file[name] == lines - 1
    assert {f"usgs_mcs/mcs2024-{code}_world.csv" for code in USGS_CODES} <= written
    assert DEMO_SOURCE == "demo"


@pytest.mark.parametrize("year", YEARS)
def test_baci_year_file_format(demo: DemoSummary, year: int) -> None:
    path = demo.out_dir / "baci" / f"BACI_HS17_Y{year}_V202501.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"t,i,j,k,v,q\n")
    assert b"\r" not in raw
    table = _baci_year(demo, year)

    assert 500 < table.height <= 3000
    assert table["t"].unique().to_list() == [year]
    assert table.select("t", "i", "j", "k").is_duplicated().sum() == 0
    assert table.filter(pl.col("i") == pl.col("j")).height == 0
    assert table["v"].str.contains(THREE_DECIMALS.pattern).all()
    quantities = table["q"]
    assert quantities.drop_nulls().str.contains(THREE_DECIMALS.pattern).all()
    assert 0.01 <= quantities.is_null().mean() <= 0.03


@pytest.mark.parametrize("year", YEARS)
def test_baci_year_covers_critical_codes_and_some_non_critical(
    demo: DemoSummary, year: int
) -> None:
    codes = {f"{k:06d}" for k in _baci_year(demo, year)["k"].unique().to_list()}
    critical = reference.critical_hs6_codes()

    # The demo invents trade for the nine minerals of its markets, every code of theirs but
    # tungsten powders 810110 (added to the reference after the generator's markets).
    demo_minerals = ("rare_earths", "lithium", "cobalt", "graphite", "gallium", "germanium")
    demo_minerals += ("nickel", "tungsten", "antimony")
    demo_codes = set(
        reference.commodities().filter(pl.col("mineral").is_in(demo_minerals))["hs6"].to_list()
    ) - {"810110"}
    assert len(demo_codes) == 30
    assert demo_codes <= codes
    non_critical = codes - critical
    assert {"010121", "270900", "870323"} <= non_critical
    raw = (demo.out_dir / "baci" / f"BACI_HS17_Y{year}_V202501.csv").read_text()
    assert re.search(r"^\d+,\d+,\d+,10121,", raw, flags=re.MULTILINE)  # leading zero lost


def test_non_critical_rows_number_a_few_hundred(demo: DemoSummary) -> None:
    trade = _baci_all(demo)
    critical = [int(code) for code in reference.critical_hs6_codes()]
    assert 200 <= trade.filter(~pl.col("k").is_in(critical)).height <= 1000


def test_china_supplies_60_to_90_percent_of_rare_earth_compounds_and_magnets(
    demo: DemoSummary,
) -> None:
    trade = _baci_all(demo).filter(pl.col("k").is_in([284690, 850511]))
    importers = [BACI[iso3] for iso3 in ("IND", "JPN", "USA", "DEU")]
    shares = (
        trade.filter(pl.col("j").is_in(importers))
        .group_by("t", "j")
        .agg(
            (pl.col("v").filter(pl.col("i") == BACI["CHN"]).sum() / pl.col("v").sum()).alias(
                "china_share"
            )
        )
    )
    assert shares.height == len(YEARS) * len(importers)
    assert shares["china_share"].is_between(0.6, 0.9).all(), shares.sort("j", "t")


def test_india_rare_earths_come_mostly_from_china_then_japan_vietnam_malaysia(
    demo: DemoSummary,
) -> None:
    india = _baci_all(demo).filter(
        (pl.col("j") == BACI["IND"]) & pl.col("k").is_in([284610, 284690, 280530, 850511])
    )
    by_supplier = india.group_by("i").agg(pl.col("v").sum()).sort("v", descending=True)
    assert by_supplier["i"][0] == BACI["CHN"]
    assert {392, 704, 458} <= set(by_supplier["i"].to_list())


def test_trade_shocks_show_in_the_flows(demo: DemoSummary) -> None:
    trade = _baci_all(demo)

    def value(exporter: int, importer: int | None, codes: list[int], year: int) -> float:
        rows = trade.filter(
            (pl.col("i") == exporter) & pl.col("k").is_in(codes) & (pl.col("t") == year)
        )
        if importer is not None:
            rows = rows.filter(pl.col("j") == importer)
        return rows["v"].sum()

    china, usa = BACI["CHN"], BACI["USA"]
    ga_ge, graphite = [282560, 811292], [250410, 250490, 380110]
    assert value(china, usa, ga_ge, 2024) < 0.5 * value(china, usa, ga_ge, 2022)
    assert value(china, usa, graphite, 2024) < 0.8 * value(china, usa, graphite, 2022)
    indonesia_ore = [value(BACI["IDN"], None, [260400], year) for year in YEARS]
    assert indonesia_ore[0] > 0
    assert indonesia_ore[1] < 0.1 * indonesia_ore[0]
    assert indonesia_ore[2:] == [0.0] * 4


def test_central_asian_exporters_appear_in_some_years(demo: DemoSummary) -> None:
    trade = _baci_all(demo)
    central_asia = {398: "KAZ", 860: "UZB", 417: "KGZ", 762: "TJK", 795: "TKM"}
    assert set(trade.filter(pl.col("i").is_in(list(central_asia)))["i"].to_list()) == set(
        central_asia
    )
    route_years = (
        trade.filter(pl.col("i").is_in([398, 860, 417, 795]))
        .group_by("i", "j", "k")
        .agg(pl.col("t").n_unique().alias("years"))
    )
    intermittent = route_years.filter(pl.col("years") < len(YEARS)).height
    assert intermittent >= route_years.height / 2
    rare_earths = trade.filter(
        pl.col("i").is_in(list(central_asia)) & pl.col("k").is_in([253090, 284690, 280530])
    )
    assert 0 < rare_earths["v"].max() < 10_000  # small, thousand USD


def test_country_codes_file_covers_every_traded_code(demo: DemoSummary) -> None:
    path = demo.out_dir / "baci" / "country_codes_V202501.csv"
    assert path.read_bytes().startswith(b"country_code,country_name,country_iso2,country_iso3\n")
    codes = pl.read_csv(path)
    expected = reference.countries().filter(pl.col("baci_code").is_not_null())
    assert codes.height == expected.height
    assert dict(zip(codes["country_code"], codes["country_iso3"], strict=True))[699] == "IND"
    trade = _baci_all(demo)
    traded = set(trade["i"].to_list()) | set(trade["j"].to_list())
    assert traded <= set(codes["country_code"].to_list())


def test_product_codes_file_describes_every_traded_code(demo: DemoSummary) -> None:
    path = demo.out_dir / "baci" / "product_codes_HS17_V202501.csv"
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("code,description\n")
    assert '\n10121,"Horses: live, pure-bred breeding animals"\n' in raw
    products = pl.read_csv(path)
    assert set(_baci_all(demo)["k"].to_list()) == set(products["code"].to_list())
    described = dict(zip(products["code"], products["description"], strict=True))
    assert described[284610] == "Cerium compounds"


@pytest.mark.parametrize("code", USGS_CODES)
def test_usgs_file_has_the_published_quirks(demo: DemoSummary, code: str) -> None:
    raw = (demo.out_dir / "usgs_mcs" / f"mcs2024-{code}_world.csv").read_bytes()
    assert raw.startswith(BOM + b"Source,Country,Type,Prod_")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    records = _usgs_records(demo, code)
    header = records[0]
    assert header[7].endswith("_notes") and header[8:] and set(header[8:]) == {""}
    assert {len(record) for record in records} == {len(header)}
    assert records[-1] == [""] * len(header)
    data = [record for record in records[1:] if any(record)]
    assert all(record[0] == "MCS2024" for record in data)
    countries = [record[1] for record in data]
    assert any(name.startswith("World total") for name in countries)
    assert any(name.startswith("Other countries") for name in countries)
    assert any(re.search(r"[a-z]\d+$", name) for name in countries)


def test_usgs_tokens_and_units_mirror_the_published_files(demo: DemoSummary) -> None:
    cells = {
        code: [cell for record in _usgs_records(demo, code) for cell in record]
        for code in USGS_CODES
    }
    assert "W" in cells["lithi"] and "W" in cells["germa"]
    assert "NA" in cells["raree"]
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", cell) for cell in cells["raree"])
    raw = (demo.out_dir / "usgs_mcs" / "mcs2024-raree_world.csv").read_text(encoding="utf-8-sig")
    assert re.search(r',"\d{1,3}(,\d{3})+",', raw)  # quoted thousands
    assert "China6" in cells["raree"] and "Burma" in cells["raree"]
    assert "Congo (Kinshasa)" in cells["cobal"]
    assert "Korea, Republic of" in cells["graph"]
    assert _usgs_records(demo, "galli")[0][3:6] == [
        "Prod_kg_2022",
        "Prod_kg_est_2023",
        "Prod_notes",
    ]
    cobalt_types = {record[2] for record in _usgs_records(demo, "cobal") if any(record)}
    assert any("Mine production" in text for text in cobalt_types)
    assert "Refinery production" in cobalt_types


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_china_rare_earth_mine_share_matches_usgs_mcs_2024(demo: DemoSummary) -> None:
    records = _usgs_records(demo, "raree")
    column = records[0].index("Prod_t_est_2023")
    by_country = {record[1]: record[column] for record in records[1:] if any(record)}
    share = _number(by_country["China6"]) / _number(by_country["World total (rounded)"])
    assert abs(share - 240000 / 350000) <= 0.03
    assert abs(_number(by_country["Burma"]) - 38000) <= 0.03 * 38000


def test_policy_register_is_a_byte_copy(demo: DemoSummary) -> None:
    source = policy_register_path()
    if not source.is_file():
        pytest.skip(f"{source} is not written yet; the demo copies it once it exists")
    copy = demo.out_dir / "policy_events" / "policy_events.yaml"
    assert copy.read_bytes() == source.read_bytes()


def test_readme_marks_the_directory_as_demo(demo: DemoSummary, tmp_path: Path) -> None:
    readme = (demo.out_dir / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and f"seed: {demo.seed}" in readme
    assert is_demo_dir(demo.out_dir)
    assert not is_demo_dir(tmp_path)


def test_ensure_demo_data_writes_only_when_missing_or_stale(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    assert ensure_demo_data(landing) == landing
    assert is_demo_dir(landing)

    trade_file = landing / "baci" / "BACI_HS17_Y2019_V202501.csv"
    original = trade_file.read_bytes()
    trade_file.write_bytes(b"edited")
    ensure_demo_data(landing)
    assert trade_file.read_bytes() == b"edited"  # current marker: nothing rewritten

    readme = landing / "README.txt"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(
            f"generator_version: {demo_data.GENERATOR_VERSION}", "generator_version: 0"
        ),
        encoding="utf-8",
    )
    ensure_demo_data(landing)
    assert trade_file.read_bytes() == original

    (landing / "usgs_mcs" / "mcs2024-raree_world.csv").unlink()
    ensure_demo_data(landing)
    assert (landing / "usgs_mcs" / "mcs2024-raree_world.csv").is_file()
