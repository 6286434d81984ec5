"""The dbt assets' materializations carry the row count and the columns of the relation built,
read from the warehouse once dbt has ended (orchestration/defs/transform.py)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.transform import with_table_metadata


def _node(name: str, schema: str, materialized: str, kind: str = "model", **extra) -> dict:
    return {
        "resource_type": kind,
        "name": name,
        "schema": schema,
        "config": {"materialized": materialized},
        **extra,
    }


MANIFEST = {
    "nodes": {
        "model.critmin.mart_a": _node(
            "mart_a",
            "marts",
            "table",
            columns={"iso3": {"description": "ISO3 code."}, "share": {"description": ""}},
        ),
        "model.critmin.stg_b": _node("stg_b", "staging", "view"),
        "seed.critmin.s": _node("s", "seeds", "seed", kind="seed", alias="s_alias"),
        "model.critmin.gone": _node("gone", "marts", "table"),
    }
}


def _output(unique_id: str) -> dg.Output:
    name = unique_id.rsplit(".", 1)[1]
    return dg.Output(value=None, output_name=name, metadata={"unique_id": unique_id})


def test_models_and_seeds_get_their_row_count_and_columns_as_built(tmp_path: Path) -> None:
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts; create schema staging; create schema seeds")
        con.execute(
            "create table marts.mart_a as select * from (values ('IND', 0.5), ('CHN', 0.25),"
            " ('USA', 0.25)) v(iso3, share)"
        )
        con.execute("create view staging.stg_b as select 1 as x")
        con.execute("create table seeds.s_alias as select 'a' as label")
    check = dg.AssetCheckResult(
        asset_key=dg.AssetKey(["marts", "mart_a"]), check_name="c", passed=True
    )
    events = [
        _output("model.critmin.mart_a"),
        check,
        _output("model.critmin.stg_b"),
        _output("seed.critmin.s"),
        _output("model.critmin.gone"),
    ]

    out = list(with_table_metadata(events, database, MANIFEST))

    mart, passed, view, seed, gone = out
    assert mart.metadata["dagster/row_count"].value == 3
    assert mart.metadata["unique_id"].value == "model.critmin.mart_a"
    columns = mart.metadata["dagster/column_schema"].value.columns
    assert [(c.name, c.type, c.description) for c in columns] == [
        ("iso3", "VARCHAR", "ISO3 code."),
        ("share", "DECIMAL(3,2)", None),
    ]
    assert passed is check
    # A view's rows are not counted (that would run its query again); its columns are listed.
    assert "dagster/row_count" not in view.metadata
    assert [c.name for c in view.metadata["dagster/column_schema"].value.columns] == ["x"]
    assert seed.metadata["dagster/row_count"].value == 1
    # A relation the warehouse does not hold keeps the event as dbt reported it.
    assert gone is events[4]


def test_a_dbt_command_opens_no_dbt_adapter_in_the_runs_process(
    tmp_path: Path, monkeypatch
) -> None:
    """dagster-dbt's resource opens a dbt adapter in the calling process before each command
    (for its row-count and column fetchers, which `with_table_metadata` replaces; 3 to 8 s a
    run); `CritminDbtCliResource` opens none. The same `dbt parse` through dagster-dbt's own
    resource does register one: were dagster-dbt to stop doing so (or rename the private method
    the project's resource overrides), this test says the override no longer applies."""
    from dagster_dbt import DbtCliResource
    from dbt.adapters.factory import FACTORY, reset_adapters

    from orchestration.defs.transform import DBT_EXECUTABLE, CritminDbtCliResource
    from warehouse.paths import BUILD_WAREHOUSE_ENV, DBT_PROJECT_DIR

    monkeypatch.setenv(BUILD_WAREHOUSE_ENV, str(tmp_path / "parse.duckdb"))
    settings = {
        "project_dir": str(DBT_PROJECT_DIR),
        "profiles_dir": str(DBT_PROJECT_DIR),
        "dbt_executable": str(DBT_EXECUTABLE),
        "target": "dev",
    }
    opened = {}
    for name, resource in (
        ("critmin", CritminDbtCliResource(**settings)),
        ("dagster-dbt", DbtCliResource(**settings)),
    ):
        reset_adapters()
        invocation = resource.cli(["parse", "--quiet"], target_path=tmp_path / name)
        invocation.wait()
        opened[name] = sorted(FACTORY.adapters)
    reset_adapters()
    assert opened == {"critmin": [], "dagster-dbt": ["duckdb"]}
