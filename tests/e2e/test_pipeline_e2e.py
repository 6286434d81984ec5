"""End to end: the whole Dagster job on a tiny landing directory with hand-computed answers.

The landing directory is written byte for byte by `landing_fixtures.tiny_landing` (real formats,
quirks included).
Hand-computed expectations (BACI values are thousand USD, so 600 -> 600,000 USD):

India's 2023 rare-earth compounds (284690): China 600, Myanmar 300 -> 900,000 USD;
  shares 600/900 = 2/3 and 300/900 = 1/3; HHI = 4/9 + 1/9 = 5/9 = 0.5556.
India's 2023 rare-earth components (850511): China 100, Japan 300 -> 400,000 USD;
  shares 0.25 and 0.75; HHI = 0.0625 + 0.5625 = 0.625; top supplier Japan.
USA's 2023 rare-earth compounds: China 50 only -> share 1, HHI 1.
Rare-earth mine production 2023 (t REO): China 240,000, United States 43,000, Burma 38,000,
  Australia 19,000 (other countries 10,000 and the world total 350,000 are not countries)
  -> world_total 340,000; China 240/340 = 0.705882; top-3 321/340 = 0.944118;
  HHI = (240² + 43² + 38² + 19²) / 340² = 61,254 / 115,600 = 0.529879.
2022: the United States is withheld (W) -> China 210,000, Burma 12,000, Australia 18,000
  -> world_total 240,000; China 0.875; HHI = (210² + 12² + 18²) / 240² = 44,568 / 57,600 = 0.77375.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
import yaml
from dbt_fixtures import dbt_test

from critmin.pipeline import PipelineOutcome, run_pipeline
from orchestration import expectations
from orchestration.settings import resolve_settings

if TYPE_CHECKING:  # the shared runs (tests/e2e/conftest.py)
    from conftest import Run


@pytest.fixture(scope="module")
def built(tiny_run: Run) -> PipelineOutcome:
    """The session's published run of the tiny landing directory (tests/e2e/conftest.py)."""
    return tiny_run.outcome


def _rows(outcome: PipelineOutcome, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(outcome.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_run_succeeds_with_every_check_passing(built: PipelineOutcome) -> None:
    assert built.run_succeeded, built.failed_steps
    assert built.failed_checks == ()
    names = {c.name for c in built.checks}
    # Every GX suite and the dbt tests ran as asset checks.
    gx_suites = {
        "gx_import_dependency",
        "gx_production_concentration",
        "gx_supply_risk",
        "gx_alternative_suppliers",
    }
    assert gx_suites <= names
    assert any(name.startswith("unique_") for name in names)
    assert any(name.startswith("not_null_") for name in names)


def test_import_dependency_matches_hand_computation(built: PipelineOutcome) -> None:
    rows = _rows(
        built,
        "select importer_iso3, stage, import_value_usd, supplier_count, top_supplier_iso3, "
        "top_supplier_share, hhi, china_share from marts.mart_import_dependency "
        "where year = 2023 and mineral = 'rare_earths' order by importer_iso3, stage",
    )
    expected = [
        ("IND", "component", 400_000.0, 2, "JPN", 0.75, 0.625, 0.25),
        ("IND", "compound", 900_000.0, 2, "CHN", 2 / 3, 5 / 9, 2 / 3),
        ("USA", "compound", 50_000.0, 1, "CHN", 1.0, 1.0, 1.0),
    ]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got[:2] == want[:2]
        assert got[2] == pytest.approx(want[2])
        assert got[3:5] == want[3:5]
        assert got[5:] == pytest.approx(want[5:])


def test_supplier_shares_and_ranks(built: PipelineOutcome) -> None:
    rows = _rows(
        built,
        "select exporter_iso3, value_usd, share, rank from marts.mart_supplier_shares "
        "where year = 2023 and importer_iso3 = 'IND' and stage = 'compound' order by rank",
    )
    assert [r[0] for r in rows] == ["CHN", "MMR"]
    assert [r[1] for r in rows] == pytest.approx([600_000.0, 300_000.0])
    assert [r[2] for r in rows] == pytest.approx([2 / 3, 1 / 3])
    assert [r[3] for r in rows] == [1, 2]


def test_production_concentration_excludes_aggregates_and_withheld(
    built: PipelineOutcome,
) -> None:
    rows = _rows(
        built,
        "select year, world_total, country_count, top1_iso3, top1_share, top3_share, hhi, "
        "china_share from marts.mart_production_concentration "
        "where mineral = 'rare_earths' and production_type = 'mine' order by year",
    )
    assert len(rows) == 2
    y2022, y2023 = rows
    assert y2022[:4] == (2022, pytest.approx(240_000.0), 3, "CHN")
    assert y2022[4:] == pytest.approx((0.875, 1.0, 44_568 / 57_600, 0.875))
    assert y2023[:4] == (2023, pytest.approx(340_000.0), 4, "CHN")
    assert y2023[4:] == pytest.approx((240 / 340, 321 / 340, 61_254 / 115_600, 240 / 340))
    withheld = _rows(
        built,
        "select quantity from marts.fct_production "
        "where country_iso3 = 'USA' and year = 2022 and mineral = 'rare_earths'",
    )
    assert withheld == [(None,)]


def test_every_row_is_accounted_for(built: PipelineOutcome) -> None:
    log = _rows(
        built,
        "select source, source_file, rows_in, rows_loaded, rows_rejected, rows_out_of_scope "
        "from raw.load_log where source_file like 'BACI%'",
    )
    assert log == [("baci", "BACI_HS17_Y2023_V202501.csv", 7, 5, 1, 1)]
    quarantine = _rows(built, "select source, source_file, source_line, reason from raw.quarantine")
    assert len(quarantine) == 1
    source, source_file, line, reason = quarantine[0]
    assert (source, source_file, line) == ("baci", "BACI_HS17_Y2023_V202501.csv", 8)
    assert "999" in reason
    assert built.quarantined_rows == 1
    for source_file, rows_in, loaded, rejected, out in _rows(
        built,
        "select source_file, rows_in, rows_loaded, rows_rejected, rows_out_of_scope "
        "from raw.load_log",
    ):
        assert rows_in == loaded + rejected + out, source_file


def test_rows_say_where_they_came_from(built: PipelineOutcome) -> None:
    assert _rows(built, "select distinct source from marts.fct_trade_flows") == [("baci",)]
    assert _rows(built, "select distinct source from marts.fct_production") == [("usgs_mcs",)]


def test_policy_register_is_loaded(built: PipelineOutcome) -> None:
    rows = _rows(
        built,
        "select effective_date::varchar, list_sort(elements) from marts.dim_policy_event "
        "where imposing_iso3 = 'CHN' and effective_date = date '2025-04-04'",
    )
    assert rows == [("2025-04-04", ["Dy", "Gd", "Lu", "Sc", "Sm", "Tb", "Y"])]


def test_running_twice_gives_the_same_marts(built: PipelineOutcome, tiny_run_copy: Run) -> None:
    """A second run on the warehouse of the first (a copy of the shared run: its build file
    holds the first run's rows) gives the same marts."""
    contents = (
        "select (select sum(value_usd) from marts.fct_trade_flows), "
        "(select sum(hhi) from marts.mart_import_dependency), "
        "(select sum(world_total) from marts.mart_production_concentration)"
    )
    before = _rows(built, contents)
    environment = dict(os.environ)
    again = run_pipeline(
        resolve_settings(data_dir=tiny_run_copy.landing, warehouse=tiny_run_copy.serving),
        echo=lambda _: None,
    )
    assert again.success
    # The settings reach the run as arguments: the run leaves the environment as it found it.
    assert dict(os.environ) == environment
    assert again.mart_rows == built.mart_rows
    # The same values, not only the same row counts (a doubled load would double the sums).
    assert _rows(again, contents) == before
    assert _rows(again, "select count(*) from raw.baci_trade") == [(5,)]
    assert _rows(again, "select count(*) from raw.quarantine") == [(1,)]


def test_the_first_build_of_a_new_warehouse_reuses_the_projects_parse(tiny_run: Run) -> None:
    """The session's first build of a fresh warehouse (`tiny_run`) starts from the dbt project's
    own saved parse: dbt logs `UnableToPartialParse` when it has no saved parse ("saved manifest
    not found") or one made with another profile, target or variables ("profile has changed"),
    as it did when the profile named the build file by its full path."""
    log = tiny_run.root / "warehouse" / ".build" / "dbt-target" / "dbt.log"
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    first = events[0]["info"]["invocation_id"]
    names = [event["info"]["name"] for event in events if event["info"]["invocation_id"] == first]
    assert "FoundStats" in names  # the build's own parse, at info level
    assert "UnableToPartialParse" not in names, [
        event["info"]["msg"] for event in events if event["info"]["name"] == "UnableToPartialParse"
    ]
    profile = yaml.safe_load((log.parent / "profile" / "profiles.yml").read_text(encoding="utf-8"))
    # The build file by its name: dbt is started in its folder.
    assert profile["critmin"]["outputs"]["dev"]["path"] == "critmin.duckdb.run"


def test_gx_suite_fails_on_a_broken_mart(built: PipelineOutcome, tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    shutil.copy(built.warehouse, broken)
    with duckdb.connect(str(broken)) as con:
        # Double one supplier's share: the shares of India's compounds no longer sum to 1.
        con.execute(
            "update marts.mart_supplier_shares set share = share * 2 "
            "where importer_iso3 = 'IND' and stage = 'compound' and exporter_iso3 = 'MMR'"
        )
        # The USA's imports no longer equal its trade flows (50,000 USD of compounds).
        con.execute(
            "update marts.mart_import_dependency set import_value_usd = 60000 "
            "where importer_iso3 = 'USA'"
        )
        frame = con.sql(expectations.IMPORT_DEPENDENCY_FRAME_SQL).df()
    outcome = expectations.validate(frame, expectations.import_dependency_suite())
    assert not outcome.success
    failed = " | ".join(outcome.failures)
    assert "on supplier_share_sum_deviation:" in failed
    assert "on trade_total_relative_gap:" in failed
    assert len(outcome.failures) == 2, failed
    # The same suite passes on the unbroken warehouse.
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        intact = con.sql(expectations.IMPORT_DEPENDENCY_FRAME_SQL).df()
    assert expectations.validate(intact, expectations.import_dependency_suite()).success


def test_dbt_row_rules_fail_on_broken_supply_shock_and_reliance_rows(
    built: PipelineOutcome, tmp_path: Path
) -> None:
    """The rules within one row that Great Expectations no longer restates are dbt's: the
    row_rules tests of the published marts catch a shortfall that no longer splits into
    coverable + uncovered and a net-exporter flag that contradicts net imports. On the run's
    own marts the same tests passed (the run's checks)."""
    tests = ["row_rules_mart_supply_shock", "row_rules_mart_net_import_reliance"]
    assert {c.name: c.passed for c in built.checks if c.name in tests} == dict.fromkeys(tests, True)
    broken = tmp_path / "broken.duckdb"
    shutil.copy(built.warehouse, broken)
    with duckdb.connect(str(broken)) as con:
        assert con.execute("select count(*) from marts.mart_supply_shock").fetchone()[0] > 0
        assert con.execute("select count(*) from marts.mart_net_import_reliance").fetchone()[0] > 0
        con.execute("update marts.mart_supply_shock set coverable_usd = coverable_usd + 1000")
        con.execute(
            "update marts.mart_net_import_reliance set is_net_exporter = not is_net_exporter"
        )
    failed = dbt_test(broken, tmp_path, tests)
    assert sorted(failed) == sorted(tests), failed
    assert all(message.startswith("fail:") for message in failed.values()), failed


def test_dbt_tests_of_models_incremental_by_year_check_the_years_rebuilt(
    built: PipelineOutcome, tmp_path: Path
) -> None:
    """A build that rebuilds some trade years tests those years' rows of the models incremental
    by year (the others passed the same tests when they were built): a row rule broken in a year
    fails the test when that year is to be rebuilt, or when no table of years is there (a full
    refresh, or dbt run by hand), and not when only another year is."""
    test = "row_rules_mart_net_import_reliance"
    broken = tmp_path / "broken.duckdb"
    shutil.copy(built.warehouse, broken)
    with duckdb.connect(str(broken)) as con:
        (year,) = con.execute("select max(year) from marts.fct_trade_flows").fetchone()
        flipped = con.execute(
            "update marts.mart_net_import_reliance set is_net_exporter = not is_net_exporter "
            "where year = ?",
            [year],
        ).fetchone()[0]
        assert flipped > 0
    assert list(dbt_test(broken, tmp_path / "whole", [test])) == [test]

    def with_years_to_build(years: list[int]) -> dict[str, str]:
        with duckdb.connect(str(broken)) as con:
            con.execute("create schema if not exists meta")
            con.execute("create or replace table meta.trade_years_to_build (year integer)")
            con.executemany(
                "insert into meta.trade_years_to_build values (?)", [[y] for y in years]
            )
        return dbt_test(broken, tmp_path / f"years-{'-'.join(map(str, years))}", [test])

    assert with_years_to_build([year - 1]) == {}
    assert list(with_years_to_build([year - 1, year])) == [test]
