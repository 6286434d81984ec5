"""The dependency marts end to end: a tiny hand-made raw layer -> `dbt build` -> mart values.

One module-scoped fixture builds a scratch DuckDB file and runs `dbt build` once (seeds, models,
data tests and unit tests), with its target and log folders under the fixture's temporary
directory. Every expected value is computed by hand in the comment next to its assertion.

The raw layer (values in USD, quantities in tonnes; BACI codes CHN 156, IND 699, JPN 392,
USA 842, MMR 104, KAZ 398, AUS 36, DEU 276, VNM 704, KOR 410):

    2023  CHN->IND 284690 600/6   MMR->IND 284690 300/3   KAZ->IND 284690 100/1
          KAZ->KOR 284690 400/4   CHN->USA 811292 500/5   DEU->USA 811292 500/5
          CHN->JPN 811292 400/4   DEU->JPN 811292 100/1   AUS->IND 261220 50/40
          IND->JPN 261220 10/10
    2024  CHN->IND 284690 800/8   MMR->IND 284690 200/2   KAZ->KOR 284690 300/3
          VNM->KOR 284690 100/1   CHN->USA 811292 100/1   DEU->USA 811292 700/7
          CHN->JPN 811292 500/5   DEU->JPN 811292 100/1

USGS rare earths, mine, 2023 (t): CHN 480, AUS 240, IND 120, MMR 160 (total 1000, shares 0.48,
0.24, 0.12, 0.16; HHI = 0.2304 + 0.0576 + 0.0144 + 0.0256 = 0.328); reserves CHN 800, AUS 200.
WGI (PV.EST and CC.EST): 2023 CHN -1.0 / 0.0, AUS 1.5 / 1.5, IND 0 / 0, MMR -1.5 / -1.5; KAZ
0.5 / 0.5 in 2022 only; Kosovo (no ISO3) ignored. Governance risk = (2.5 - mean) / 5 x 10: CHN
(2.5 + 0.5) / 5 x 10 = 6, AUS 2, IND 5, MMR 8, KAZ 4. Political risk g = (2.5 - PV) / 5: CHN 0.7,
AUS 0.2, IND 0.5, MMR 0.8, KAZ 0.4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt_fixtures import (
    assert_gx_suites_pass_and_catch,
    built_reader,
    copy_of_built,
    insert_frame,
    insert_policy_event,
)
from repo_paths import REPO

from ingest.reference import lookup as reference
from orchestration import expectations

DBT_PROJECT_DIR = REPO / "dbt_project"

DEPENDENCY_MARTS = (
    "mart_net_import_reliance",
    "mart_supply_risk",
    "mart_supply_risk_by_importer",
    "mart_policy_exposure",
    "mart_event_trade_response",
    "mart_event_trade_response_by_importer",
    "mart_alternative_suppliers",
    "mart_supply_shock",
)

BACI_COLUMNS = ("year", "exporter_code", "importer_code", "hs6", "value_usd", "quantity_t")
BACI_ROWS = [
    (2023, 156, 699, "284690", 600.0, 6.0),
    (2023, 104, 699, "284690", 300.0, 3.0),
    (2023, 398, 699, "284690", 100.0, 1.0),
    (2023, 398, 410, "284690", 400.0, 4.0),
    (2023, 156, 842, "811292", 500.0, 5.0),
    (2023, 276, 842, "811292", 500.0, 5.0),
    (2023, 156, 392, "811292", 400.0, 4.0),
    (2023, 276, 392, "811292", 100.0, 1.0),
    (2023, 36, 699, "261220", 50.0, 40.0),
    (2023, 699, 392, "261220", 10.0, 10.0),
    (2024, 156, 699, "284690", 800.0, 8.0),
    (2024, 104, 699, "284690", 200.0, 2.0),
    (2024, 398, 410, "284690", 300.0, 3.0),
    (2024, 704, 410, "284690", 100.0, 1.0),
    (2024, 156, 842, "811292", 100.0, 1.0),
    (2024, 276, 842, "811292", 700.0, 7.0),
    (2024, 156, 392, "811292", 500.0, 5.0),
    (2024, 276, 392, "811292", 100.0, 1.0),
]

USGS_COUNTRIES = {"CHN": "China", "AUS": "Australia", "IND": "India", "MMR": "Burma"}
USGS_PRODUCTION_2023 = {"CHN": 480.0, "AUS": 240.0, "IND": 120.0, "MMR": 160.0}
USGS_RESERVES = {"CHN": 800.0, "AUS": 200.0}

# (iso3 or None, World Bank code, series, year, value)
WGI_ROWS = [
    ("CHN", "CHN", "PV.EST", 2023, -1.0),
    ("CHN", "CHN", "CC.EST", 2023, 0.0),
    ("AUS", "AUS", "PV.EST", 2023, 1.5),
    ("AUS", "AUS", "CC.EST", 2023, 1.5),
    ("IND", "IND", "PV.EST", 2023, 0.0),
    ("IND", "IND", "CC.EST", 2023, 0.0),
    ("MMR", "MMR", "PV.EST", 2023, -1.5),
    ("MMR", "MMR", "CC.EST", 2023, -1.5),
    ("KAZ", "KAZ", "PV.EST", 2022, 0.5),
    ("KAZ", "KAZ", "CC.EST", 2022, 0.5),
    (None, "XKX", "PV.EST", 2023, -2.5),
    ("CHN", "CHN", "PV.PER.RNK", 2023, 25.0),  # not an estimate: ignored
]

# (event_id, imposing, measure_type, effective, elements, minerals, hs6 codes, targets)
EVENTS = [
    (
        "CHN-2025-018-heavy-rare-earths",
        "CHN",
        "export_licensing",
        dt.date(2025, 4, 4),
        ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
        ["rare_earths"],
        ["284690", "850511"],
        [],
    ),
    (
        "CHN-GA-USA",
        "CHN",
        "export_ban",
        dt.date(2024, 1, 1),
        ["Ga", "Ge"],
        ["gallium", "germanium"],
        ["811292"],
        ["USA"],
    ),
    (
        "IND-COOP",
        "IND",
        "cooperation_agreement",
        dt.date(2024, 9, 1),
        [],
        ["rare_earths"],
        ["284690"],
        ["KAZ"],
    ),
]


def _source_columns(frame: pl.DataFrame, source: str, file: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source).alias("source"),
        pl.lit(file).alias("source_file"),
        pl.int_range(2, frame.height + 2).alias("source_line"),
    )


def _usgs_rows() -> pl.DataFrame:
    base = {
        "edition": 2024,
        "commodity_code": "raree",
        "mineral": "rare_earths",
        "row_kind": "country",
        "type_raw": "Mine production",
        "production_type": "mine",
        "unit": "t",
        "is_estimate": True,
    }
    production = [
        {
            **base,
            "country_raw": USGS_COUNTRIES[iso3],
            "country_name": USGS_COUNTRIES[iso3],
            "country_iso3": iso3,
            "measure": "production",
            "year": 2023,
            "quantity": quantity,
        }
        for iso3, quantity in USGS_PRODUCTION_2023.items()
    ]
    reserves = [
        {
            **base,
            "country_raw": USGS_COUNTRIES[iso3],
            "country_name": USGS_COUNTRIES[iso3],
            "country_iso3": iso3,
            "measure": "reserves",
            "year": None,
            "quantity": quantity,
            "is_estimate": False,
        }
        for iso3, quantity in USGS_RESERVES.items()
    ]
    return pl.DataFrame(production + reserves)


def _load_fixture_rows(con: duckdb.DuckDBPyConnection) -> None:
    insert_frame(con, "ref_countries", reference.countries().drop("aliases"))
    insert_frame(con, "ref_commodities", reference.commodities())
    insert_frame(con, "ref_minerals", reference.minerals())
    trade = pl.DataFrame(BACI_ROWS, schema=BACI_COLUMNS, orient="row").with_columns(
        pl.lit("HS17").alias("hs_revision")
    )
    insert_frame(con, "baci_trade", _source_columns(trade, "baci", "BACI_HS17_V202501.csv"))
    insert_frame(con, "usgs_mcs_world", _source_columns(_usgs_rows(), "usgs_mcs", "mcs_world.csv"))
    wgi = pl.DataFrame(
        WGI_ROWS,
        schema=("country_iso3", "country_code", "series_code", "year", "value"),
        orient="row",
    )
    insert_frame(con, "wgi_governance", _source_columns(wgi, "wgi", "WGI.csv"))
    for line, event in enumerate(EVENTS, start=1):
        insert_policy_event(con, line, *event)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from built_reader(tmp_path_factory.mktemp("dependency_marts"), _load_fixture_rows)


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> tuple:
    row = con.execute(sql, params).fetchone()
    assert row is not None, (sql, params)
    return row


def test_dependency_marts_have_column_comments(built: duckdb.DuckDBPyConnection) -> None:
    commented = built.execute(
        "select table_name, count(*) filter (where comment is null or comment = '') "
        "from duckdb_columns() where schema_name = 'marts' group by table_name"
    ).fetchall()
    missing = {table: n for table, n in commented if table in DEPENDENCY_MARTS}
    assert set(missing) == set(DEPENDENCY_MARTS)
    assert set(missing.values()) == {0}


def test_net_import_reliance(built: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "select production_basis, production_t, imports_t, exports_t, apparent_consumption_t, "
        "nir, is_net_exporter from marts.mart_net_import_reliance "
        "where year = 2023 and country_iso3 = ? and mineral = 'rare_earths' and stage = ?"
    )
    # IND ores: production 120 + imports 40 - exports 10 = 150; NIR = 30 / 150 = 0.2.
    basis, production, imports, exports, consumption, nir, net_exporter = _one(
        built, sql, ["IND", "ore_concentrate"]
    )
    assert (basis, production, imports, exports, consumption) == ("usgs", 120.0, 40.0, 10.0, 150.0)
    assert nir == pytest.approx(0.2, abs=1e-12)
    assert net_exporter is False
    # JPN is not listed by USGS for 2023 -> production 0; imports 10 -> NIR 10 / 10 = 1.
    assert _one(built, sql, ["JPN", "ore_concentrate"])[0::5] == ("not_listed_assumed_zero", 1.0)
    # IND compounds: no refinery line for rare earths -> production and NIR unknown.
    assert _one(built, sql, ["IND", "compound"])[0:2] == ("no_usgs_production", None)
    assert _one(built, sql, ["IND", "compound"])[5] is None


def test_supply_risk_global_hhi_wgi(built: duckdb.DuckDBPyConnection) -> None:
    hhi, hhi_wgi, coverage = _one(
        built,
        "select hhi, hhi_wgi, wgi_coverage_share from marts.mart_supply_risk "
        "where year = ? and mineral = 'rare_earths' and production_type = 'mine'",
        [2023],
    )
    assert hhi == pytest.approx(0.328, abs=1e-12)
    # 0.2304 x 6 + 0.0576 x 2 + 0.0144 x 5 + 0.0256 x 8 = 1.3824 + 0.1152 + 0.072 + 0.2048 = 1.7744.
    assert hhi_wgi == pytest.approx(1.7744, abs=1e-12)
    assert coverage == pytest.approx(1.0, abs=1e-12)


def test_supply_risk_eu_and_geopolrisk_by_importer(built: duckdb.DuckDBPyConnection) -> None:
    sourcing, ir, sr, geopolrisk = _one(
        built,
        "select hhi_wgi_sourcing, import_reliance, supply_risk_eu, geopolrisk "
        "from marts.mart_supply_risk_by_importer where year = 2023 and importer_iso3 = ? "
        "and mineral = 'rare_earths' and stage = 'ore_concentrate'",
        ["IND"],
    )
    # IND's only ore supplier is AUS (share 1, risk 2): HHI_WGI sourcing = 1 x 2 = 2.
    assert sourcing == pytest.approx(2.0, abs=1e-12)
    assert ir == pytest.approx(0.2, abs=1e-12)
    # SR = (1.7744 x 0.2 / 2 + 2 x (1 - 0.1)) x (1 - 0.01) x 0.95 (seed: rare earths EoL-RIR 0.01,
    #    SI 0.95) = (0.17744 + 1.8) x 0.9405 = 1.97744 x 0.9405 = 1.85978232.
    assert sr == pytest.approx(1.85978232, abs=1e-9)
    # GeoPolRisk = HHI 0.328 x (g_AUS 0.2 x 40 t) / (production 120 + imports 40)
    #            = 0.328 x 8 / 160 = 0.328 x 0.05 = 0.0164.
    assert geopolrisk == pytest.approx(0.0164, abs=1e-12)
    # IND compounds: no production figure -> NIR, IR, SR and GeoPolRisk unknown (an unknown NIR
    # must not turn into IR 0).
    assert _one(
        built,
        "select nir, import_reliance, supply_risk_eu, geopolrisk "
        "from marts.mart_supply_risk_by_importer where year = 2023 and importer_iso3 = ? "
        "and mineral = 'rare_earths' and stage = 'compound'",
        ["IND"],
    ) == (None, None, None, None)


def test_policy_exposure_share_scope_and_upper_bound(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select importer_iso3, reference_year, exposed_imports_usd, scope_imports_usd, "
        "exposure_share, is_upper_bound, upper_bound_reason from marts.mart_policy_exposure "
        "where event_id = 'CHN-2025-018-heavy-rare-earths' order by importer_iso3"
    ).fetchall()
    # Effective 2025-04-04 -> reference year 2024. IND: CHN 800 of 800 + 200 = 0.8. KOR imports
    # the scope (KAZ 300, VNM 100) but nothing from China: 0 of 400. 284690 covers 16 rare earths,
    # the measure names 7 -> upper bound.
    assert rows == [
        ("IND", 2024, 800.0, 1000.0, 0.8, True, "hs6_covers_more_elements"),
        ("KOR", 2024, 0.0, 400.0, 0.0, True, "hs6_covers_more_elements"),
    ]


def test_policy_exposure_targets_only_and_shared_code_once(
    built: duckdb.DuckDBPyConnection,
) -> None:
    rows = built.execute(
        "select importer_iso3, reference_year, exposed_imports_usd, scope_imports_usd, "
        "exposure_share, is_targeted_measure from marts.mart_policy_exposure "
        "where event_id = 'CHN-GA-USA'"
    ).fetchall()
    # Aimed at USA only: JPN (CHN 400 of 500 in 2023) has no row. USA 2023: CHN 500 of
    # 500 + 500 = 0.5; 811292 is gallium and germanium but each flow counts once (500, not 1000).
    assert rows == [("USA", 2023, 500.0, 1000.0, 0.5, True)]
    # A cooperation agreement is not a restriction: no exposure rows.
    assert built.execute(
        "select count(*) from marts.mart_policy_exposure where event_id = 'IND-COOP'"
    ).fetchone() == (0,)


def test_event_trade_response(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select importer_iso3, exporter_iso3, pre_year, post_year, supplier_role, importer_group, "
        "pre_value_usd, post_value_usd, change_usd from marts.mart_event_trade_response "
        "where event_id = 'CHN-GA-USA' order by importer_iso3, exporter_iso3"
    ).fetchall()
    # Effective 2024-01-01: pre 2023, post 2024 (a full year under the measure). USA is covered,
    # JPN a peer (not named by the measure).
    assert rows == [
        ("JPN", "CHN", 2023, 2024, "restricting", "peer", 400.0, 500.0, 100.0),
        ("JPN", "DEU", 2023, 2024, "other", "peer", 100.0, 100.0, 0.0),
        ("USA", "CHN", 2023, 2024, "restricting", "covered", 500.0, 100.0, -400.0),
        ("USA", "DEU", 2023, 2024, "other", "covered", 500.0, 700.0, 200.0),
    ]
    usa = _one(
        built,
        "select restricting_change_pct, other_change_pct, peer_restricting_change_pct, "
        "change_pct_vs_peers from marts.mart_event_trade_response_by_importer "
        "where event_id = 'CHN-GA-USA' and importer_iso3 = ?",
        ["USA"],
    )
    # China 500 -> 100: -0.8; diversion to DEU 500 -> 700: +0.4; peers' imports from China
    # 400 -> 500: +0.25; relative to peers -0.8 - 0.25 = -1.05.
    assert usa == pytest.approx((-0.8, 0.4, 0.25, -1.05), abs=1e-12)
    # The 2025-04-04 measure's first full year (2026) is not loaded: no rows.
    assert built.execute(
        "select count(*) from marts.mart_event_trade_response "
        "where event_id = 'CHN-2025-018-heavy-rare-earths'"
    ).fetchone() == (0,)


def test_alternative_suppliers_rank(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select candidate_iso3, world_export_share, production_share, reserves_share, "
        "governance_risk_0_10, restricts_exports, current_import_share, ranking_score, "
        "candidate_rank from marts.mart_alternative_suppliers where year = 2024 "
        "and importer_iso3 = 'IND' and mineral = 'rare_earths' and stage = 'compound' "
        "order by candidate_rank"
    ).fetchall()
    # World exports of 284690 in 2024: CHN 800, MMR 200, KAZ 300, VNM 100 = 1400. Production
    # (2023 mine, no refinery line): CHN 0.48, MMR 0.16. Reserves: CHN 0.8. Governance as of 2023
    # (KAZ from 2022). China restricts rare earths (in-force licensing).
    # MMR 0.4 x 200/1400 + 0.25 x 0.16 + 0.1 x (1 - 0.8) + 0.1 (supplies IND) = 0.217143
    # KAZ 0.4 x 300/1400 + 0.1 x (1 - 0.4) = 0.085714 + 0.06 = 0.145714
    # CHN 0.4 x 800/1400 + 0.25 x 0.48 + 0.15 x 0.8 + 0.1 x 0.4 + 0.1 - 0.5 = 0.108571
    # VNM 0.4 x 100/1400 = 0.028571 (no production, reserves or governance score)
    assert [(r[0], r[8]) for r in rows] == [("MMR", 1), ("KAZ", 2), ("CHN", 3), ("VNM", 4)]
    scores = {r[0]: r[7] for r in rows}
    assert scores["MMR"] == pytest.approx(0.4 * 200 / 1400 + 0.04 + 0.02 + 0.1, abs=1e-12)
    assert scores["KAZ"] == pytest.approx(0.4 * 300 / 1400 + 0.06, abs=1e-12)
    assert scores["CHN"] == pytest.approx(0.4 * 800 / 1400 + 0.12 + 0.12 + 0.04 + 0.1 - 0.5)
    china = next(r for r in rows if r[0] == "CHN")
    assert china[2:7] == pytest.approx((0.48, 0.8, 6.0, True, 0.8))


def test_supply_shock_shortfall_spare_and_months_of_cover(
    built: duckdb.DuckDBPyConnection,
) -> None:
    sql = (
        "select base_year, imports_usd, shortfall_usd, shortfall_t, shortfall_share, spare_usd, "
        "spare_t, coverable_usd, coverable_share, uncovered_t, stockpile_t, "
        "stockpile_is_illustrative, months_of_cover, months_of_cover_uncovered "
        "from marts.mart_supply_shock where scenario_id = ? and importer_iso3 = 'IND' "
        "and mineral = 'rare_earths' and stage = 'compound'"
    )
    # Base year 2024. IND imports 1000 (CHN 800 / 8 t, MMR 200 / 2 t): shortfall 800, 8 t, 0.8.
    # Spare: MMR 200 to the world - 200 to IND = 0; KAZ 300 - 0; VNM 100 - 0 -> 400 USD, 4 t.
    # Coverable min(800, 400) = 400 -> 0.5; uncovered 8 - 4 = 4 t. Stockpile 500 t (seed,
    # illustrative): 500 x 12 / 8 = 750 months; 500 x 12 / 4 = 1500 months for the uncovered part.
    expected = (2024, 1000.0, 800.0, 8.0, 0.8, 400.0, 4.0, 400.0, 0.5, 4.0, 500.0, True)
    for scenario in ("chn_halts_2025_018_scope", "chn_halts_rare_earths"):
        row = _one(built, sql, [scenario])
        assert row[:12] == expected, scenario
        assert row[12:] == pytest.approx((750.0, 1500.0), abs=1e-9)
    # KOR buys no rare earths from China: no shortfall row.
    assert built.execute(
        "select count(*) from marts.mart_supply_shock where importer_iso3 = 'KOR'"
    ).fetchone() == (0,)


def test_gx_suites_pass_on_the_marts_and_catch_a_broken_share(
    built: duckdb.DuckDBPyConnection,
) -> None:
    suites = {
        expectations.IMPORT_DEPENDENCY_FRAME_SQL: expectations.import_dependency_suite,
        expectations.PRODUCTION_CONCENTRATION_FRAME_SQL: (
            expectations.production_concentration_suite
        ),
        expectations.SUPPLY_RISK_FRAME_SQL: expectations.supply_risk_suite,
        expectations.ALTERNATIVE_SUPPLIERS_FRAME_SQL: expectations.alternative_suppliers_suite,
    }
    # An importer's candidates holding 150% of its imports between them is caught.
    assert_gx_suites_pass_and_catch(
        built,
        suites,
        expectations.ALTERNATIVE_SUPPLIERS_FRAME_SQL,
        expectations.alternative_suppliers_suite,
        "current_share_sum",
        1.5,
    )


def test_gx_cross_mart_suites_fail_on_broken_marts(
    built: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The frames of the cross-row and cross-mart suites are computed from the marts: breaking a
    mart (not the frame) fails exactly the rule it breaks. One importer's candidates: a rank moved
    past the end (a gap) and current shares of 0.9 each (at least two candidates: sum >= 1.8);
    one supply-risk HHI 0.01 above its concentration row's; one concentration row's world total
    doubled (its countries' shares then sum to 0.5)."""
    broken = copy_of_built(built, tmp_path / "broken.duckdb")
    with duckdb.connect(str(broken)) as con:
        group = con.execute(
            "select year, importer_iso3, mineral, stage from marts.mart_alternative_suppliers "
            "group by all having count(*) >= 2 order by all limit 1"
        ).fetchone()
        assert group is not None
        where = "year = ? and importer_iso3 = ? and mineral = ? and stage = ?"
        con.execute(
            f"update marts.mart_alternative_suppliers set current_import_share = 0.9 where {where}",
            list(group),
        )
        con.execute(
            "update marts.mart_alternative_suppliers set candidate_rank = candidate_rank + 10 "
            f"where {where} and candidate_rank = 1",
            list(group),
        )
        risk = con.execute(
            "select year, mineral, production_type from marts.mart_supply_risk order by all limit 1"
        ).fetchone()
        con.execute(
            "update marts.mart_supply_risk set hhi = hhi + 0.01 "
            "where year = ? and mineral = ? and production_type = ?",
            list(risk),
        )
        concentration = con.execute(
            "select production_source, year, mineral, production_type "
            "from marts.mart_production_concentration order by all limit 1"
        ).fetchone()
        con.execute(
            "update marts.mart_production_concentration set world_total = world_total * 2 "
            "where production_source = ? and year = ? and mineral = ? and production_type = ?",
            list(concentration),
        )
        failed = {
            suite.__name__: [
                f.split(":")[0] for f in expectations.validate(con.sql(sql).df(), suite()).failures
            ]
            for sql, suite in (
                (
                    expectations.ALTERNATIVE_SUPPLIERS_FRAME_SQL,
                    expectations.alternative_suppliers_suite,
                ),
                (expectations.SUPPLY_RISK_FRAME_SQL, expectations.supply_risk_suite),
                (
                    expectations.PRODUCTION_CONCENTRATION_FRAME_SQL,
                    expectations.production_concentration_suite,
                ),
            )
        }
    assert failed == {
        "alternative_suppliers_suite": [
            "expect_column_values_to_be_between on current_share_sum",
            "expect_column_values_to_be_between on rank_gap",
        ],
        "supply_risk_suite": [
            "expect_column_values_to_be_between on hhi_gap_to_production_concentration"
        ],
        "production_concentration_suite": [
            "expect_column_values_to_be_between on country_share_sum"
        ],
    }
