"""End-to-end tests of the dbt project: tiny hand-made raw tables -> `dbt build` -> mart values.

Each module-scoped fixture builds one scratch DuckDB file and runs `dbt build` once (models, data
tests and unit tests) through dbt's Python API, with its target and log folders under the fixture's
temporary directory so parallel runs do not collide. Expected values are computed by hand in the
comments next to each assertion.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt.cli.main import dbtRunner
from dbt_fixtures import copy_of_built, dbt_build, insert_frame, release_dbt_duckdb
from repo_paths import REPO

from ingest.reference import lookup as reference
from warehouse.paths import BUILD_WAREHOUSE_ENV

DBT_PROJECT_DIR = REPO / "dbt_project"

MARTS = (
    "dim_country",
    "dim_commodity",
    "fct_trade_flows",
    "fct_production",
    "mart_supplier_shares",
    "mart_import_dependency",
    "mart_production_concentration",
    "dim_policy_event",
    "bridge_policy_event_hs6",
    "bridge_policy_event_target",
)

# BACI country codes: CHN 156, IND 699, MMR 104, USA 842, AUS 36, JPN 392, CHL 152, ARG 32.
# 899 is not a country in the reference table ("Areas, nes"): its row must be left out.
BACI_TRADE_COLUMNS = ("year", "exporter_code", "importer_code", "hs6", "value_usd", "hs_revision")
BACI_TRADE_ROWS = [
    # IND rare-earth compounds: 284690 from CHN 600 and MMR 300 -> CHN 2/3, MMR 1/3.
    (2023, 156, 699, "284690", 600.0, "HS22"),
    (2023, 104, 699, "284690", 300.0, "HS22"),
    # The same flow from an older HS revision of the same year: dropped, not added (600, not 1599).
    (2023, 156, 699, "284690", 999.0, "HS17"),
    # IND magnets (component stage) from CHN 100 -> CHN 1.0.
    (2023, 156, 699, "850511", 100.0, "HS22"),
    # Shared code 253090 (rare earths and lithium), USA -> IND 400: a row under each mineral.
    (2023, 842, 699, "253090", 400.0, "HS22"),
    # JPN lithium compounds: CHL 300 (283691) + ARG 100 (282520) -> 0.75 / 0.25, no China.
    (2023, 152, 392, "283691", 300.0, "HS22"),
    (2023, 32, 392, "282520", 100.0, "HS22"),
    # Unknown BACI country code: left out.
    (2023, 899, 699, "284690", 50.0, "HS22"),
]


def _usgs_line(
    edition: int,
    mineral: str,
    country: str,
    iso3: str | None,
    year: int | None,
    quantity: float | None,
    *,
    row_kind: str = "country",
    measure: str = "production",
    value_flag: str | None = None,
) -> dict[str, object]:
    """One raw.usgs_mcs_world row of a `Mine production` line, in metric tons."""
    return {
        "edition": edition,
        "commodity_code": {"rare_earths": "raree", "lithium": "lithi"}[mineral],
        "mineral": mineral,
        "country_raw": country,
        "country_name": country.rstrip("0123456789"),
        "country_iso3": iso3,
        "row_kind": row_kind,
        "type_raw": "Mine production",
        "production_type": "mine",
        "measure": measure,
        "year": year,
        "quantity": quantity,
        "unit": "t",
        "is_estimate": edition - 1 == year,
        "value_flag": value_flag,
    }


USGS_ROWS = [
    # Rare earths, mine, 2023 (edition 2024). Known country figures: CHN 240000, USA 43000,
    # MMR 38000, AUS 18000; India withheld (W); world-total and other-countries lines.
    _usgs_line(2024, "rare_earths", "China6", "CHN", 2023, 240000.0),
    _usgs_line(2024, "rare_earths", "United States", "USA", 2023, 43000.0),
    _usgs_line(2024, "rare_earths", "Burma", "MMR", 2023, 38000.0),
    _usgs_line(2024, "rare_earths", "Australia", "AUS", 2023, 18000.0),
    _usgs_line(2024, "rare_earths", "India", "IND", 2023, None, value_flag="W"),
    _usgs_line(
        2024, "rare_earths", "World total (rounded)", None, 2023, 350000.0, row_kind="world_total"
    ),
    _usgs_line(
        2024, "rare_earths", "Other countries", None, 2023, 5000.0, row_kind="other_countries"
    ),
    # Reserves are not production.
    _usgs_line(2024, "rare_earths", "China6", "CHN", None, 44000000.0, measure="reserves"),
    # Lithium, mine, 2022: edition 2023 says AUS 60000; edition 2024 revises AUS to 61000 and adds
    # CHL 39000. Concentration uses edition 2024 only: total 100000, shares 0.61 / 0.39.
    _usgs_line(2023, "lithium", "Australia", "AUS", 2022, 60000.0),
    _usgs_line(2024, "lithium", "Australia", "AUS", 2022, 61000.0),
    _usgs_line(2024, "lithium", "Chile", "CHL", 2022, 39000.0),
]

POLICY_EVENTS = [
    # (event_id, imposing, measure_type, effective_date, minerals)
    ("CHN-2025-018", "CHN", "export_licensing", dt.date(2025, 4, 4), ["rare_earths"]),
    ("CHN-2024-046", "CHN", "export_ban", dt.date(2024, 12, 3), ["gallium", "germanium"]),
]
POLICY_EVENT_HS6 = [
    ("CHN-2025-018", "850511"),
    ("CHN-2025-018", "284690"),
    ("CHN-2025-018", "999999"),  # not a critical-mineral code: left out of the bridge
    ("CHN-2024-046", "811292"),  # shared: gallium and germanium
]
POLICY_EVENT_TARGETS = [("CHN-2024-046", "USA")]


def _load_fixture_rows(con: duckdb.DuckDBPyConnection) -> None:
    insert_frame(con, "ref_countries", reference.countries().drop("aliases"))
    insert_frame(con, "ref_commodities", reference.commodities())
    insert_frame(con, "ref_minerals", reference.minerals())
    trade = pl.DataFrame(BACI_TRADE_ROWS, schema=BACI_TRADE_COLUMNS, orient="row")
    insert_frame(
        con,
        "baci_trade",
        trade.with_columns(
            pl.lit("baci").alias("source"),
            pl.lit("BACI_HS22_Y2023_V202501.csv").alias("source_file"),
            pl.int_range(2, trade.height + 2).alias("source_line"),
        ),
    )
    usgs = pl.DataFrame(USGS_ROWS)
    insert_frame(
        con,
        "usgs_mcs_world",
        usgs.with_columns(
            pl.lit("usgs_mcs").alias("source"),
            pl.lit("mcs_world.csv").alias("source_file"),
            pl.int_range(2, usgs.height + 2).alias("source_line"),
        ),
    )
    for line, (event_id, imposing, measure_type, effective, minerals) in enumerate(
        POLICY_EVENTS, start=1
    ):
        con.execute(
            "insert into raw.policy_events (event_id, imposing_iso3, title, measure_type, "
            "effective_date, minerals, status, source, source_file, source_line) "
            "values (?, ?, ?, ?, ?, ?, 'in_force', 'policy_register', 'policy_events.yaml', ?)",
            [event_id, imposing, f"title of {event_id}", measure_type, effective, minerals, line],
        )
    con.executemany(
        "insert into raw.policy_event_hs6 values (?, ?, 'policy_events.yaml')", POLICY_EVENT_HS6
    )
    con.executemany(
        "insert into raw.policy_event_targets values (?, ?, 'policy_events.yaml')",
        POLICY_EVENT_TARGETS,
    )


def _build(tmp: Path, load_rows: bool) -> Path:
    """Create a scratch warehouse, optionally fill its raw tables, run `dbt build` once."""
    warehouse, not_passed = dbt_build(tmp, _load_fixture_rows if load_rows else None)
    # The only warning the fixture should raise: register code 999999 is outside the
    # critical-mineral HS6 list (a warn-severity test); the empty warehouse raises none.
    expected_warnings = {"assert_policy_hs6_in_commodity_list"} if load_rows else set()
    assert set(not_passed) == expected_warnings, not_passed
    return warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse = _build(tmp_path_factory.mktemp("dbt_fixture"), load_rows=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def built_empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse = _build(tmp_path_factory.mktemp("dbt_empty"), load_rows=False)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_marts_live_in_schema_marts_with_column_comments(built: duckdb.DuckDBPyConnection) -> None:
    tables = {
        (schema, name)
        for schema, name in _rows(built, "select schema_name, table_name from duckdb_tables()")
    }
    assert {("marts", mart) for mart in MARTS} <= tables
    schemas = {s for (s,) in _rows(built, "select distinct schema_name from duckdb_tables()")}
    assert not any(s.startswith("main_") for s in schemas), schemas
    uncommented = _rows(
        built,
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'marts' and (comment is null or comment = '')",
    )
    assert uncommented == []
    table_comments = dict(
        _rows(built, "select table_name, comment from duckdb_tables() where schema_name = 'marts'")
    )
    # Every mart, these and the ones built on them, carries a table comment.
    assert set(MARTS) <= set(table_comments)
    assert all(table_comments.values()), [t for t, c in table_comments.items() if not c]
    assert "upper bound" in table_comments["fct_trade_flows"]


def test_trade_flows_map_baci_codes_and_keep_latest_revision(
    built: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(
        built,
        "select exporter_iso3, importer_iso3, hs6, mineral, stage, value_usd, hs_revision "
        "from marts.fct_trade_flows order by all",
    )
    # 8 raw rows - 1 older revision - 1 unknown country code = 6, + 2 for the shared 253090
    # (rare earths, lithium and strontium) = 8.
    assert rows == [
        ("ARG", "JPN", "282520", "lithium", "compound", 100.0, "HS22"),
        ("CHL", "JPN", "283691", "lithium", "compound", 300.0, "HS22"),
        ("CHN", "IND", "284690", "rare_earths", "compound", 600.0, "HS22"),
        ("CHN", "IND", "850511", "rare_earths", "component", 100.0, "HS22"),
        ("MMR", "IND", "284690", "rare_earths", "compound", 300.0, "HS22"),
        ("USA", "IND", "253090", "lithium", "ore_concentrate", 400.0, "HS22"),
        ("USA", "IND", "253090", "rare_earths", "ore_concentrate", 400.0, "HS22"),
        ("USA", "IND", "253090", "strontium", "ore_concentrate", 400.0, "HS22"),
    ]


def test_shared_code_appears_under_both_minerals(built: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        built,
        "select mineral, is_shared_code from marts.fct_trade_flows where hs6 = '253090' "
        "order by mineral",
    )
    assert rows == [("lithium", True), ("rare_earths", True), ("strontium", True)]
    # Each mineral's ore_concentrate imports of IND are USA 400/400 = 1.0 (an upper bound each).
    shares = _rows(
        built,
        "select mineral, exporter_iso3, share from marts.mart_supplier_shares "
        "where importer_iso3 = 'IND' and stage = 'ore_concentrate' order by mineral",
    )
    assert shares == [
        ("lithium", "USA", 1.0),
        ("rare_earths", "USA", 1.0),
        ("strontium", "USA", 1.0),
    ]


def test_supplier_shares(built: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        built,
        "select exporter_iso3, value_usd, share, rank from marts.mart_supplier_shares "
        "where importer_iso3 = 'IND' and mineral = 'rare_earths' and stage = 'compound' "
        "order by rank",
    )
    # CHN 600 / (600 + 300) = 2/3, MMR 300 / 900 = 1/3.
    assert [(e, v, r) for e, v, _, r in rows] == [("CHN", 600.0, 1), ("MMR", 300.0, 2)]
    assert rows[0][2] == pytest.approx(2 / 3, abs=1e-12)
    assert rows[1][2] == pytest.approx(1 / 3, abs=1e-12)


def test_import_dependency(built: duckdb.DuckDBPyConnection) -> None:
    rows = {
        (importer, mineral, stage): rest
        for importer, mineral, stage, *rest in _rows(
            built,
            "select importer_iso3, mineral, stage, import_value_usd, supplier_count, "
            "top_supplier_iso3, top_supplier_share, hhi, china_share "
            "from marts.mart_import_dependency where year = 2023",
        )
    }
    value, count, top, top_share, hhi, china = rows[("IND", "rare_earths", "compound")]
    # 600 + 300 = 900; HHI = (2/3)^2 + (1/3)^2 = 4/9 + 1/9 = 5/9 = 0.5555...; China 2/3.
    assert (value, count, top) == (900.0, 2, "CHN")
    assert top_share == pytest.approx(2 / 3, abs=1e-12)
    assert hhi == pytest.approx(5 / 9, abs=1e-12)
    assert china == pytest.approx(2 / 3, abs=1e-12)
    # Magnets: CHN 100 of 100 -> one supplier, HHI 1, China 1.
    assert rows[("IND", "rare_earths", "component")] == [100.0, 1, "CHN", 1.0, 1.0, 1.0]
    # JPN lithium compounds: CHL 300, ARG 100 of 400 -> 0.75 / 0.25; HHI = 0.5625 + 0.0625
    # = 0.625; China does not supply -> 0.
    assert rows[("JPN", "lithium", "compound")] == [400.0, 2, "CHL", 0.75, 0.625, 0.0]


def test_production_keeps_withheld_as_null_and_only_country_lines(
    built: duckdb.DuckDBPyConnection,
) -> None:
    withheld = _rows(
        built,
        "select quantity, value_flag from marts.fct_production "
        "where country_iso3 = 'IND' and mineral = 'rare_earths'",
    )
    assert withheld == [(None, "W")]
    # 5 rare-earth country lines (no world total, no other countries, no reserves) + 2 lithium
    # lines of edition 2024 (AUS, CHL); edition 2023's AUS figure for 2022 is superseded = 7.
    assert _rows(built, "select count(*) from marts.fct_production") == [(7,)]
    assert _rows(
        built,
        "select edition, quantity from marts.fct_production "
        "where country_iso3 = 'AUS' and mineral = 'lithium'",
    ) == [(2024, 61000.0)]


def test_production_concentration(built: duckdb.DuckDBPyConnection) -> None:
    row = built.execute(
        "select world_total, hhi, top1_iso3, top1_share, top3_share, china_share, "
        "country_count, reported_world_total, unit, edition "
        "from marts.mart_production_concentration "
        "where year = 2023 and mineral = 'rare_earths' and production_type = 'mine'"
    ).fetchone()
    assert row is not None
    world, hhi, top1, top1_share, top3, china, count, reported, unit, edition = row
    # Known country figures only: 240000 + 43000 + 38000 + 18000 = 339000 (India withheld; the
    # world-total 350000 and other-countries 5000 lines excluded).
    assert world == 339000.0
    assert reported == 350000.0
    # HHI = (240^2 + 43^2 + 38^2 + 18^2) / 339^2 = (57600 + 1849 + 1444 + 324) / 114921
    #     = 61217 / 114921 = 0.53269...
    assert hhi == pytest.approx(61217 / 114921, abs=1e-12)
    assert top1 == "CHN"
    assert top1_share == pytest.approx(240 / 339, abs=1e-12)  # 0.70796...
    assert top3 == pytest.approx((240 + 43 + 38) / 339, abs=1e-12)  # 321/339 = 0.94690...
    assert china == pytest.approx(240 / 339, abs=1e-12)
    assert (count, unit, edition) == (4, "t", 2024)

    lithium = built.execute(
        "select world_total, hhi, top1_iso3, top1_share, china_share, country_count, edition "
        "from marts.mart_production_concentration where year = 2022 and mineral = 'lithium'"
    ).fetchone()
    assert lithium is not None
    # Edition 2024 only: 61000 + 39000 = 100000; HHI = 0.61^2 + 0.39^2 = 0.3721 + 0.1521 = 0.5242.
    assert lithium[0] == 100000.0
    assert lithium[1] == pytest.approx(0.5242, abs=1e-12)
    assert lithium[2:4] == ("AUS", pytest.approx(0.61, abs=1e-12))
    assert lithium[4:] == (0.0, 2, 2024)


def test_policy_event_marts(built: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        built,
        "select event_id, applies_to_all_destinations, minerals "
        "from marts.dim_policy_event order by event_id",
    ) == [
        ("CHN-2024-046", False, ["gallium", "germanium"]),
        ("CHN-2025-018", True, ["rare_earths"]),
    ]
    # 999999 is not a critical-mineral code; 811292 gives a row per mineral it pools (gallium,
    # germanium, hafnium, indium, niobium, rhenium, vanadium), as a shared code does.
    assert _rows(
        built,
        "select event_id, hs6, mineral, stage from marts.bridge_policy_event_hs6 order by all",
    ) == [
        ("CHN-2024-046", "811292", "gallium", "metal"),
        ("CHN-2024-046", "811292", "germanium", "metal"),
        ("CHN-2024-046", "811292", "hafnium", "metal"),
        ("CHN-2024-046", "811292", "indium", "metal"),
        ("CHN-2024-046", "811292", "niobium", "metal"),
        ("CHN-2024-046", "811292", "rhenium", "metal"),
        ("CHN-2024-046", "811292", "vanadium", "metal"),
        ("CHN-2025-018", "284690", "rare_earths", "compound"),
        ("CHN-2025-018", "850511", "rare_earths", "component"),
    ]
    assert _rows(built, "select * from marts.bridge_policy_event_target") == [
        ("CHN-2024-046", "USA")
    ]


def test_dimensions_come_from_the_reference_tables(built: duckdb.DuckDBPyConnection) -> None:
    assert _rows(built, "select count(*) from marts.dim_country") == [
        (reference.countries().height,)
    ]
    assert _rows(built, "select count(*) from marts.dim_commodity") == [
        (reference.commodities().height,)
    ]
    assert _rows(built, "select baci_code from marts.dim_country where country_iso3 = 'IND'") == [
        (699,)
    ]


def test_empty_raw_layer_builds_zero_row_marts(built_empty: duckdb.DuckDBPyConnection) -> None:
    counts = {
        mart: built_empty.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        for mart in MARTS
    }
    assert counts == dict.fromkeys(MARTS, 0)


def test_dim_mineral_exposes_the_list_flags(built: duckdb.DuckDBPyConnection) -> None:
    """dim_mineral is minerals.csv with its HS6 codes: 60 USGS 2025 minerals besides the group
    row, the 17 EU strategic minerals' filter, and the codes of a mineral from dim_commodity."""
    assert _rows(built, "select count(*) from marts.dim_mineral") == [
        (reference.minerals().height,)
    ]
    assert _rows(
        built, "select count(*) from marts.dim_mineral where usgs_2025 and not is_group"
    ) == [(60,)]
    assert _rows(
        built,
        "select mineral, hs6_codes, own_hs6_code_count, has_own_hs6_code from marts.dim_mineral "
        "where mineral in ('copper', 'gallium', 'dysprosium') order by mineral",
    ) == [
        ("copper", ["260300", "740100", "740200", "740311", "740811"], 5, True),
        ("dysprosium", [], 0, False),
        ("gallium", ["811292"], 0, False),
    ]
    strategic_not_usgs = _rows(
        built,
        "select mineral from marts.dim_mineral where eu_2023_strategic and not usgs_2025 "
        "order by mineral",
    )
    # Bauxite (the EU's bauxite/alumina/aluminium entry) and osmium (platinum group metals).
    assert strategic_not_usgs == [("bauxite",), ("osmium",)]
    assert _rows(built, "select count(*) from marts.dim_mineral where not is_on_any_list") == [
        (reference.minerals().height - 67,)
    ]


def test_run_summary_counts_minerals_with_trade_production_and_events(
    built: duckdb.DuckDBPyConnection,
) -> None:
    """Fixture by hand: trade in lithium, rare earths and strontium (253090 is strontium's too);
    production of rare earths and lithium; events naming rare earths, gallium and germanium.
    Every USGS row has a mineral, so no file is listed as unmapped."""
    from critmin.coverage import MineralCoverage, UnmappedFile, mineral_coverage

    coverage = mineral_coverage(built)
    assert coverage.minerals == {
        "reference": reference.minerals().height,
        "trade": 3,
        "production": 2,
        "events": 3,
    }
    assert coverage.unmapped_usgs_files == ()
    lines = MineralCoverage(
        minerals={"reference": 97, "trade": 3, "production": None, "events": 3},
        unmapped_usgs_files=(UnmappedFile("mcs2024-cemen_world.csv", "cemen", 16, "cement"),),
    ).summary_lines()
    assert lines == [
        "  minerals:    reference 97, trade 3, production -, events 3",
        "  USGS MCS files mapped to no mineral: 1 (lines kept in raw.usgs_mcs_world with "
        "mineral NULL)",
        "    mcs2024-cemen_world.csv (cemen, 16 line(s)): cement",
    ]


def test_an_event_naming_an_unknown_mineral_fails_the_dbt_test(
    built: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """assert_policy_minerals_in_mineral_list passes on the fixture (every event names minerals of
    dim_mineral) and fails, naming the event, once raw.policy_events holds an unknown mineral."""
    (source,) = _rows(
        built, "select path from duckdb_databases() where database_name = current_database()"
    )[0]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(source, warehouse)

    def run_test() -> list[tuple[str, int]]:
        with pytest.MonkeyPatch.context() as env:
            env.setenv(BUILD_WAREHOUSE_ENV, str(warehouse))
            result = dbtRunner().invoke(
                [
                    "test",
                    "--select",
                    "assert_policy_minerals_in_mineral_list",
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target-path",
                    str(tmp_path / "target"),
                    "--log-path",
                    str(tmp_path / "logs"),
                ]
            )
        release_dbt_duckdb()
        assert result.exception is None, result.exception
        return [(str(r.status), r.failures or 0) for r in result.result]

    assert run_test() == [("pass", 0)]
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "insert into raw.policy_events (event_id, imposing_iso3, title, measure_type, "
            "minerals, status, source, source_file, source_line) values ('TST-1', 'CHN', 't', "
            "'export_ban', ['copper', 'unobtainium'], 'in_force', 'policy_register', 'x.yaml', 9)"
        )
    finally:
        con.close()
    assert run_test() == [("fail", 1)]


def test_row_rules_fail_with_the_rules_each_row_breaks(
    built: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """fct_trade_flows has two row rules: `stage` among the four stages, and `value_usd >= 0`.
    Three of its rows broken by hand in a copy of the fixture warehouse (a stage 'bogus', a
    value -1, and both in a third row): its one row_rules test fails with exactly those three rows,
    each naming the rules it breaks, joined by '; ' in the YAML's order."""
    stage_rule = "stage is null or stage in ('ore_concentrate', 'compound', 'metal', 'component')"
    warehouse = copy_of_built(built, tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        keys = con.execute(
            "select year, exporter_iso3, importer_iso3, hs6, mineral, source "
            "from marts.fct_trade_flows order by all limit 3"
        ).fetchall()
        updates = ["stage = 'bogus'", "value_usd = -1", "stage = 'bogus', value_usd = -1"]
        for update, key in zip(updates, keys, strict=True):
            con.execute(
                f"update marts.fct_trade_flows set {update} where year = ? and exporter_iso3 = ? "
                "and importer_iso3 = ? and hs6 = ? and mineral = ? and source = ?",
                list(key),
            )
    with pytest.MonkeyPatch.context() as env:
        env.setenv(BUILD_WAREHOUSE_ENV, str(warehouse))
        result = dbtRunner().invoke(
            ["test", "--select", "row_rules_fct_trade_flows", "--store-failures"]
            + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
            + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
        )
    release_dbt_duckdb()
    assert result.exception is None, result.exception
    [outcome] = result.result
    assert (str(outcome.status), outcome.failures) == ("fail", 3)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        broken = con.execute(
            "select year, exporter_iso3, importer_iso3, hs6, mineral, source, broken_rules "
            "from dbt_test__audit.row_rules_fct_trade_flows order by all"
        ).fetchall()
    expected = [stage_rule, "value_usd >= 0", f"{stage_rule}; value_usd >= 0"]
    assert broken == sorted((*key, rules) for key, rules in zip(keys, expected, strict=True))
