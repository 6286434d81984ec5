"""What a build redoes: a full refresh when anything but the trade years changed, else the trade
years whose rows changed, appeared or disappeared (warehouse/build_state.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import build_state


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute(
        "create table raw.baci_trade (year integer, exporter_code integer, value_usd double)"
    )
    con.execute(
        "insert into raw.baci_trade values (2022, 156, 1.0), (2023, 156, 2.0), (2023, 4, 3.0)"
    )
    con.execute("create table raw.usgs_mcs_world (country varchar, production double)")
    con.execute("insert into raw.usgs_mcs_world values ('China', 240000.0)")
    # The loader's bookkeeping changes on every run and is read by no model.
    con.execute("create table raw.load_log (run_id varchar)")
    yield con
    con.close()


def _years_table(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [
        y
        for (y,) in con.execute("select year from meta.trade_years_to_build order by 1").fetchall()
    ]


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'meta' order by 1"
        ).fetchall()
    ]


def _built(con: duckdb.DuckDBPyConnection, code: str = "code 1") -> build_state.BuildPlan:
    plan = build_state.plan_build(con, code)
    build_state.record_build(con, plan)
    return plan


def test_the_first_build_of_a_file_is_a_full_refresh_of_every_year(con) -> None:
    plan = build_state.plan_build(con, "code 1")
    assert plan.full_refresh and plan.years == (2022, 2023) and plan.kept == 0
    assert plan.describe() == "full refresh: no complete build of this file recorded"
    # A full refresh rebuilds and tests every row: no table of years restricts them.
    assert _tables(con) == []
    build_state.record_build(con, plan)
    assert _tables(con) == ["build_state"]


def test_nothing_changed_rebuilds_no_year(con) -> None:
    _built(con)
    con.execute("insert into raw.load_log values ('another run')")
    plan = build_state.plan_build(con, "code 1")
    assert not plan.full_refresh and plan.years == () and plan.kept == 2
    assert plan.describe() == "no trade year changed; 2 kept"
    assert _years_table(con) == []
    build_state.record_build(con, plan)
    assert _tables(con) == ["build_state"]  # the years to build are dropped once the build ends


def test_a_changed_new_or_removed_year_is_rebuilt_alone(con) -> None:
    _built(con)
    con.execute(
        "update raw.baci_trade set value_usd = 2.5 where year = 2023 and exporter_code = 156"
    )
    con.execute("insert into raw.baci_trade values (2024, 156, 7.0)")
    plan = _built(con)
    assert (plan.full_refresh, plan.years, plan.kept) == (False, (2023, 2024), 1)
    assert plan.describe() == "trade years rebuilt: 2023, 2024; 1 kept"
    # Swapping two values between the rows of one year changes its digest too.
    con.execute(
        "update raw.baci_trade set exporter_code = 4 + 156 - exporter_code where year = 2023"
    )
    assert build_state.plan_build(con, "code 1").years == (2023,)
    build_state.record_build(con, build_state.plan_build(con, "code 1"))
    con.execute("delete from raw.baci_trade where year = 2022")
    plan = build_state.plan_build(con, "code 1")
    assert (plan.full_refresh, plan.years, plan.kept) == (False, (2022,), 2)
    assert _years_table(con) == [2022]


@pytest.mark.parametrize("change", ["another source", "the code", "a table added"])
def test_anything_but_trade_years_changing_is_a_full_refresh(con, change: str) -> None:
    _built(con)
    code = "code 1"
    if change == "another source":
        con.execute("update raw.usgs_mcs_world set production = 270000.0")
    elif change == "the code":
        code = "code 2"
    else:
        con.execute("create table raw.wgi_governance (country varchar)")
    plan = build_state.plan_build(con, code)
    assert plan.full_refresh and plan.years == (2022, 2023)
    assert plan.reason == "a source other than the trade years, or the project's code, changed"


def test_a_forgotten_build_is_refreshed_whole(con) -> None:
    _built(con)
    build_state.forget_build(con)
    assert build_state.plan_build(con, "code 1").full_refresh
