"""UN Comtrade in dbt, the reconciled trade-flow mart, monthly event windows, historical BACI codes
and the USGS published NIR: a tiny hand-made raw layer -> `dbt build` -> values checked by hand.

One module-scoped fixture builds a scratch DuckDB file (the packaged reference tables loaded by
`ingest.reference.reader.reference_tables()`, so raw.ref_baci_historical_codes is the real one)
and runs `dbt build` once (models, data tests and unit tests). Values in USD, weights in kg.

Comtrade codes: CHN 156, IND 699, JPN 392, USA 842, DEU 276; 899 "Areas, nes"; 0 World.

Annual 2023, HS 284690 (rare earths, compound), classification H5:
    IND M from CHN   total 1100 (11000 kg), breakdowns mot 1 = 800 and mot 3 = 300 (must not add)
                     the same total again in a second file (a CSV extract overlapping the API chunk)
    IND M from 899   100 (an area: a partner for shares, not a bilateral flow)
    IND M World      1500
    IND M from CHN   4-digit 2846: 1200 (stays out of the HS6 marts; in the dependency marts
                     IND's 284690 report counts instead, never both)
    CHN X to IND     1000 (8000 kg)
    CHN X to JPN     500 (JPN reported nothing)
BACI 2023 (HS17): CHN->IND 284690 999, DEU->IND 284690 70, CHN->USA 811292 1000 / 10 t,
    58 (Belgium-Luxembourg, historical) -> USA 811292 200 / 2 t.

Monthly, HS 811292 (gallium and germanium metal, a shared code), flow M:
    USA from CHN 2023-01 1000 (before the window), 2023-02 300 (+ a mot-1 breakdown 300),
                 2023-05 300, 2023-09 120
    USA from DEU 2023-03 300, 2023-12 480
    JPN from CHN 2023-04 200, 2024-01 300
    CHN X to USA 2023-02 290 (the mirror report of USA's February imports)
Events: CHN-GA-USA export licensing of 811292 effective 2023-08-01 aimed at USA (JPN is a peer);
CHN-GA-MID the same effective 2023-08-15; CHN-RE-2025 effective 2025-04-04.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import polars as pl
import pytest
from dbt_fixtures import built_reader, insert_frame, insert_policy_event
from repo_paths import REPO

from ingest._result import empty_rejects
from ingest.comtrade.reader import COMTRADE_RECORDS_SCHEMA, comtrade_country_iso3, partner_shares
from ingest.reference.reader import reference_tables
from warehouse.load import load_source

DBT_PROJECT_DIR = REPO / "dbt_project"

NEW_MARTS = ("fct_trade_flows_reconciled", "mart_event_trade_response_monthly")


def _record(
    freq: str,
    year: int,
    month: int | None,
    reporter: int,
    flow: str,
    partner: int,
    cmd: str,
    value: float,
    *,
    weight_kg: float | None = None,
    mot: int = 0,
    source_file: str = "comtrade_api.json",
) -> dict[str, object]:
    """One raw.comtrade_records row; CIF for imports, FOB for exports, as the API fills them."""
    return {
        "freq_code": freq,
        "ref_year": year,
        "ref_month": month,
        "period": f"{year}" if freq == "A" else f"{year}{month:02d}",
        "reporter_m49": reporter,
        "reporter_iso3": comtrade_country_iso3(reporter),
        "flow_code": flow,
        "partner_m49": partner,
        "partner_iso3": comtrade_country_iso3(partner),
        "is_world_partner": partner == 0,
        "partner2_m49": 0,
        "cmd_code": cmd,
        "customs_code": "C00",
        "mot_code": mot,
        "qty_unit_code": 8,
        "qty": weight_kg,
        "net_weight_kg": weight_kg,
        "cif_value_usd": value if flow == "M" else 0.0,
        "fob_value_usd": value if flow == "X" else 0.0,
        "primary_value_usd": value,
        "is_aggregate": False,
        "is_reported": True,
        "classification_code": "H5",
        "source": "comtrade",
        "source_file": source_file,
    }


ANNUAL = [
    _record("A", 2023, None, 699, "M", 156, "284690", 1100.0, weight_kg=11000.0),
    _record("A", 2023, None, 699, "M", 156, "284690", 800.0, weight_kg=8000.0, mot=1),
    _record("A", 2023, None, 699, "M", 156, "284690", 300.0, weight_kg=3000.0, mot=3),
    _record("A", 2023, None, 699, "M", 899, "284690", 100.0),
    _record("A", 2023, None, 699, "M", 0, "284690", 1500.0),
    _record("A", 2023, None, 699, "M", 156, "2846", 1200.0),
    _record("A", 2023, None, 156, "X", 699, "284690", 1000.0, weight_kg=8000.0),
    _record("A", 2023, None, 156, "X", 392, "284690", 500.0),
]
DUPLICATE = [
    _record(
        "A",
        2023,
        None,
        699,
        "M",
        156,
        "284690",
        1100.0,
        weight_kg=11000.0,
        source_file="comtrade_extract.csv",
    )
]
MONTHLY = [
    _record("M", 2023, 1, 842, "M", 156, "811292", 1000.0),
    _record("M", 2023, 2, 842, "M", 156, "811292", 300.0),
    _record("M", 2023, 2, 842, "M", 156, "811292", 300.0, mot=1),
    _record("M", 2023, 5, 842, "M", 156, "811292", 300.0),
    _record("M", 2023, 9, 842, "M", 156, "811292", 120.0),
    _record("M", 2023, 3, 842, "M", 276, "811292", 300.0),
    _record("M", 2023, 12, 842, "M", 276, "811292", 480.0),
    _record("M", 2023, 4, 392, "M", 156, "811292", 200.0),
    _record("M", 2024, 1, 392, "M", 156, "811292", 300.0),
    _record("M", 2023, 2, 156, "X", 842, "811292", 290.0),
]

BACI_COLUMNS = ("year", "exporter_code", "importer_code", "hs6", "value_usd", "quantity_t")
BACI_ROWS = [
    (2023, 156, 699, "284690", 999.0, 9.0),
    (2023, 276, 699, "284690", 70.0, 1.0),
    (2023, 156, 842, "811292", 1000.0, 10.0),
    (2023, 58, 842, "811292", 200.0, 2.0),
]

# (event_id, effective date, hs6 codes, targets)
EVENTS = [
    ("CHN-GA-USA", dt.date(2023, 8, 1), ["811292"], ["USA"]),
    ("CHN-GA-MID", dt.date(2023, 8, 15), ["811292"], ["USA"]),
    ("CHN-RE-2025", dt.date(2025, 4, 4), ["284690"], []),
]


def _comtrade_frame(records: list[dict[str, object]]) -> pl.DataFrame:
    frame = pl.DataFrame(records).with_columns(
        pl.int_range(2, len(records) + 2).alias("source_line")
    )
    return frame.select(list(COMTRADE_RECORDS_SCHEMA)).cast(COMTRADE_RECORDS_SCHEMA)


def _salient(mineral: str, code: str, value: float | None, flag: str | None) -> dict[str, object]:
    return {
        "edition": 2024,
        "commodity_code": code,
        "mineral": mineral,
        "commodity_raw": mineral.title(),
        "year": 2023,
        "measure": "net_import_reliance_pct",
        "qualifier": None,
        "column_raw": "NIR_pct",
        "column_number": 9,
        "unit": "pct",
        "value": value,
        "value_flag": flag,
        "is_estimate": False,
        "source": "usgs_mcs",
        "source_file": f"mcs2024-{code}_salient.csv",
        "source_line": 6,
    }


def _load_fixture_rows(con: duckdb.DuckDBPyConnection) -> None:
    load_source(con, "reference", reference_tables(), empty_rejects(), files=())
    comtrade = pl.concat(
        [_comtrade_frame(ANNUAL + MONTHLY), _comtrade_frame(DUPLICATE)], how="vertical"
    )
    insert_frame(con, "comtrade_records", comtrade)
    baci = pl.DataFrame(BACI_ROWS, schema=BACI_COLUMNS, orient="row").with_columns(
        pl.lit("HS17").alias("hs_revision"),
        pl.lit("baci").alias("source"),
        pl.lit("BACI_HS17_Y2023_V202501.csv").alias("source_file"),
        pl.int_range(2, len(BACI_ROWS) + 2).alias("source_line"),
    )
    insert_frame(con, "baci_trade", baci)
    # USGS gallium refinery production 2023: CHN 600 t (USA not listed -> assumed 0).
    con.execute(
        "insert into raw.usgs_mcs_world (edition, commodity_code, mineral, country_raw, "
        "country_name, country_iso3, row_kind, type_raw, production_type, measure, year, "
        "quantity, unit, is_estimate, source, source_file, source_line) values (2024, 'galli', "
        "'gallium', 'China', 'China', 'CHN', 'country', 'Refinery production, primary', "
        "'refinery', 'production', 2023, 600, 't', true, 'usgs_mcs', 'mcs2024-galli_world.csv', 2)"
    )
    salient = pl.DataFrame(
        [_salient("gallium", "galli", 95.0, None), _salient("germanium", "germa", None, ">50")]
    )
    insert_frame(con, "usgs_mcs_salient", salient)
    for line, (event_id, effective, hs6s, targets) in enumerate(EVENTS, start=1):
        insert_policy_event(
            con,
            line,
            event_id,
            "CHN",
            "export_licensing",
            effective,
            ["Ga"],
            ["gallium"],
            hs6s,
            targets,
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from built_reader(tmp_path_factory.mktemp("comtrade_marts"), _load_fixture_rows)


def test_new_marts_have_column_comments(built: duckdb.DuckDBPyConnection) -> None:
    counts = dict(
        built.execute(
            "select table_name, count(*) filter (where comment is null or comment = '') "
            "from duckdb_columns() where schema_name = 'marts' group by table_name"
        ).fetchall()
    )
    assert {name: counts.get(name) for name in NEW_MARTS} == dict.fromkeys(NEW_MARTS, 0)


def test_duplicate_record_is_kept_once(built: duckdb.DuckDBPyConnection) -> None:
    # The IND <- CHN total arrives in comtrade_api.json and comtrade_extract.csv: one row, count 2.
    rows = built.execute(
        "select source_file, duplicate_count, has_conflicting_duplicates "
        "from staging.stg_comtrade__records where reporter_m49 = 699 and partner_m49 = 156 "
        "and cmd_code = '284690' and mot_code = 0"
    ).fetchall()
    assert rows == [("comtrade_api.json", 2, False)]


def test_flow_totals_drop_breakdowns_that_would_double_count(
    built: duckdb.DuckDBPyConnection,
) -> None:
    where = "where reporter_m49 = 699 and partner_m49 = 156 and cmd_code = '284690'"
    (all_records,) = built.execute(
        f"select sum(primary_value_usd) from staging.stg_comtrade__records {where}"
    ).fetchone()
    (totals,) = built.execute(
        f"select sum(primary_value_usd) from intermediate.int_comtrade__flow_totals {where}"
    ).fetchone()
    # Summing every record: total 1100 + mot-1 800 + mot-3 300 = 2200, twice the flow.
    assert all_records == 2200.0
    assert totals == 1100.0
    # The 4-digit code stays in the intermediate layer with no hs6.
    assert built.execute(
        "select hs6, primary_value_usd from intermediate.int_comtrade__flow_totals "
        "where cmd_code = '2846'"
    ).fetchall() == [(None, 1200.0)]


def test_partner_shares_denominators(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select reporter_iso3, flow_code, partner_m49, value_usd, denominator_usd, denominator, "
        "share from intermediate.int_comtrade__partner_shares "
        "where freq_code = 'A' and cmd_code = '284690' order by reporter_iso3, partner_m49"
    ).fetchall()
    # IND imports: World total 1500 is the denominator (CHN 1100 / 1500, area 899 100 / 1500).
    # CHN exports: no World row -> sum of partners 1000 + 500 = 1500 (IND 2/3, JPN 1/3).
    assert rows == [
        ("CHN", "X", 392, 500.0, 1500.0, "sum_of_partners", pytest.approx(1 / 3)),
        ("CHN", "X", 699, 1000.0, 1500.0, "sum_of_partners", pytest.approx(2 / 3)),
        ("IND", "M", 156, 1100.0, 1500.0, "world_total", pytest.approx(1100 / 1500)),
        ("IND", "M", 899, 100.0, 1500.0, "world_total", pytest.approx(100 / 1500)),
    ]


def test_partner_shares_mirror_the_polars_function(built: duckdb.DuckDBPyConnection) -> None:
    expected = partner_shares(_comtrade_frame(ANNUAL + MONTHLY)).select(
        "reporter_m49", "flow_code", "period", "cmd_code", "partner_m49", "denominator", "share"
    )
    actual = (
        built.cursor()
        .sql(
            "select reporter_m49, flow_code, period, cmd_code, partner_m49, denominator, share "
            "from intermediate.int_comtrade__partner_shares "
            "order by reporter_m49, flow_code, freq_code, period, cmd_code, partner_m49"
        )
        .pl()
    )
    assert actual.height == expected.height == 14
    assert actual.cast(expected.schema).equals(expected)


def test_reconciled_basis_per_flow(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select exporter_iso3, importer_iso3, basis, value_usd, quantity_t, "
        "importer_reported_value_usd, exporter_reported_value_usd, mirror_gap_usd, baci_value_usd "
        "from marts.fct_trade_flows_reconciled where year = 2023 and month is null "
        "and hs6 = '284690' order by exporter_iso3, importer_iso3"
    ).fetchall()
    assert rows == [
        # Both reported: the importer's CIF 1100 (11000 kg = 11 t), gap 1100 - 1000 = 100; BACI's
        # 999 kept beside it.
        ("CHN", "IND", "importer_reported_cif", 1100.0, 11.0, 1100.0, 1000.0, 100.0, 999.0),
        # Only the exporter reported: its FOB 500, no gap.
        ("CHN", "JPN", "exporter_mirror_fob", 500.0, None, None, 500.0, None, None),
        # Neither Comtrade side: BACI's reconciled FOB.
        ("DEU", "IND", "baci_reconciled_fob", 70.0, 1.0, None, None, None, 70.0),
    ]
    # The area partner (899) and the 4-digit code are not bilateral HS6 flows.
    assert built.execute(
        "select count(*) from marts.fct_trade_flows_reconciled where year = 2023 "
        "and month is null and importer_iso3 = 'IND'"
    ).fetchone() == (2,)


def test_reconciled_monthly_grain(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select mineral, frequency, basis, value_usd, exporter_reported_value_usd, mirror_gap_usd "
        "from marts.fct_trade_flows_reconciled where year = 2023 and month = 2 "
        "and exporter_iso3 = 'CHN' and importer_iso3 = 'USA' order by mineral"
    ).fetchall()
    # February 2023: USA reported 300 (the mot-1 breakdown not added), CHN 290 -> gap 10; 811292
    # pools gallium, germanium, hafnium, indium, niobium, rhenium and vanadium (commodities.csv):
    # one row per mineral, each with the full value.
    pooled = ("gallium", "germanium", "hafnium", "indium", "niobium", "rhenium", "vanadium")
    assert rows == [
        (mineral, "monthly", "importer_reported_cif", 300.0, 290.0, 10.0) for mineral in pooled
    ]


def test_historical_baci_code_maps_to_successor(built: duckdb.DuckDBPyConnection) -> None:
    # BACI code 58 (Belgium-Luxembourg) -> BEL, no longer dropped by the country join.
    assert built.execute(
        "select exporter_iso3, value_usd, quantity_t from marts.fct_trade_flows "
        "where exporter_iso3 = 'BEL' and importer_iso3 = 'USA' and mineral = 'gallium'"
    ).fetchall() == [("BEL", 200.0, 2.0)]


def test_usgs_published_nir_next_to_the_computed_one(built: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "select production_basis, imports_t, nir, usgs_published_nir, usgs_published_nir_flag, "
        "nir_difference_pct_points from marts.mart_net_import_reliance "
        "where year = 2023 and country_iso3 = ? and mineral = ? and stage = 'metal'"
    )
    # USA gallium metal: imports CHN 10 t + BEL (code 58) 2 t = 12 t, production 0 (not listed
    # in a published year) -> NIR 12 / 12 = 1.0. USGS prints 95 -> 0.95; difference
    # (1.0 - 0.95) x 100 = 5 percentage points.
    basis, imports_t, nir, published, flag, difference = built.execute(
        sql, ["USA", "gallium"]
    ).fetchone()
    assert (basis, imports_t, nir, flag) == ("not_listed_assumed_zero", 12.0, 1.0, None)
    assert published == pytest.approx(0.95, abs=1e-12)
    assert difference == pytest.approx(5.0, abs=1e-9)
    # Germanium: USGS prints `>50`, no number -> published and difference null, the token kept.
    assert built.execute(sql, ["USA", "germanium"]).fetchone()[3:] == (None, ">50", None)
    # USGS publishes NIR for the United States only.
    assert built.execute(sql, ["CHN", "gallium"]).fetchone()[3:] == (None, None, None)


def test_monthly_event_windows(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select importer_iso3, supplier_role, importer_group, pre_start_month, pre_end_month, "
        "post_start_month, post_end_month, pre_value_usd, post_value_usd, change_usd, "
        "pre_months_with_imports, post_months_with_imports "
        "from marts.mart_event_trade_response_monthly where event_id = 'CHN-GA-USA' "
        "order by importer_iso3, supplier_role desc"
    ).fetchall()
    pre = (dt.date(2023, 2, 1), dt.date(2023, 7, 1))
    post = (dt.date(2023, 8, 1), dt.date(2024, 1, 1))
    # Effective 2023-08-01: pre Feb-Jul 2023, post Aug 2023-Jan 2024 (January 2023 is outside).
    # USA from CHN: 300 (Feb, breakdown not added) + 300 (May) = 600 -> 120 (Sep).
    # USA from others (DEU): 300 (Mar) -> 480 (Dec). JPN (peer) from CHN: 200 (Apr) -> 300 (Jan).
    assert rows == [
        ("JPN", "restricting", "peer", *pre, *post, 200.0, 300.0, 100.0, 1, 1),
        ("JPN", "other", "peer", *pre, *post, 0.0, 0.0, 0.0, 0, 0),
        ("USA", "restricting", "covered", *pre, *post, 600.0, 120.0, -480.0, 2, 1),
        ("USA", "other", "covered", *pre, *post, 300.0, 480.0, 180.0, 1, 1),
    ]
    changes = dict(
        (
            role,
            (change, peer, versus),
        )
        for role, change, peer, versus in built.execute(
            "select supplier_role, change_pct, peer_change_pct, change_pct_vs_peers "
            "from marts.mart_event_trade_response_monthly "
            "where event_id = 'CHN-GA-USA' and importer_iso3 = 'USA'"
        ).fetchall()
    )
    # Restricting: 120 / 600 - 1 = -0.8; peers 300 / 200 - 1 = +0.5; vs peers -0.8 - 0.5 = -1.3.
    assert changes["restricting"] == pytest.approx((-0.8, 0.5, -1.3), abs=1e-12)
    # Other suppliers: 480 / 300 - 1 = +0.6; peers imported nothing from others -> null.
    assert changes["other"][0] == pytest.approx(0.6, abs=1e-12)
    assert changes["other"][1:] == (None, None)
    # Effective 2023-08-15: August is mixed, so post is Sep 2023-Feb 2024, beyond the loaded
    # months (last: January 2024) -> no rows. The 2025 measure has no monthly data -> no rows.
    assert built.execute(
        "select count(*) from marts.mart_event_trade_response_monthly "
        "where event_id in ('CHN-GA-MID', 'CHN-RE-2025')"
    ).fetchone() == (0,)


def test_baci_and_comtrade_of_one_year_are_two_rows_not_a_sum(
    built: duckdb.DuckDBPyConnection,
) -> None:
    # IND rare-earth compounds 2023. BACI: CHN 999, DEU 70 -> total 1069. Comtrade (IND's own
    # report, 284690): World 1500, CHN 1100, area 899 100; the 4-digit 2846 report (CHN 1200) does
    # not count because IND reported its subheading 284690 for the same year. A sum would give
    # CHN 999 + 1100 = 2099 of 1069 + 1500 = 2569: no row says that.
    rows = built.execute(
        "select trade_source, frequency, month, exporter_iso3, value_usd, share, rank, "
        "import_value_usd, share_denominator from marts.mart_supplier_shares "
        "where year = 2023 and importer_iso3 = 'IND' and mineral = 'rare_earths' "
        "and stage = 'compound' order by trade_source, rank"
    ).fetchall()
    assert rows == [
        ("baci", "annual", None, "CHN", 999.0, pytest.approx(999 / 1069), 1, 1069.0,
         "sum_of_partners"),
        ("baci", "annual", None, "DEU", 70.0, pytest.approx(70 / 1069), 2, 1069.0,
         "sum_of_partners"),
        ("comtrade", "annual", None, "CHN", 1100.0, pytest.approx(1100 / 1500), 1, 1500.0,
         "world_total"),
    ]  # fmt: skip
    dependency = built.execute(
        "select trade_source, import_value_usd, supplier_count, china_share, hhi, "
        "partner_coverage_share from marts.mart_import_dependency where year = 2023 "
        "and importer_iso3 = 'IND' and mineral = 'rare_earths' and stage = 'compound' "
        "order by trade_source"
    ).fetchall()
    # BACI HHI = (999/1069)^2 + (70/1069)^2; Comtrade HHI = (1100/1500)^2, a lower bound since
    # the area's 100 of the World total is no supplier (coverage 1100/1500).
    assert dependency == [
        ("baci", 1069.0, 2, pytest.approx(999 / 1069),
         pytest.approx((999 / 1069) ** 2 + (70 / 1069) ** 2), pytest.approx(1.0)),
        ("comtrade", 1500.0, 1, pytest.approx(1100 / 1500), pytest.approx((1100 / 1500) ** 2),
         pytest.approx(1100 / 1500)),
    ]  # fmt: skip
    # Monthly Comtrade reports are rows of their own too: USA gallium metal, February 2023, 300
    # from CHN (the mot-1 breakdown not added), the only partner -> share 1.
    assert built.execute(
        "select import_value_usd, china_share, share_denominator from marts.mart_import_dependency "
        "where trade_source = 'comtrade' and frequency = 'monthly' and year = 2023 and month = 2 "
        "and importer_iso3 = 'USA' and mineral = 'gallium'"
    ).fetchall() == [(300.0, 1.0, "sum_of_partners")]
