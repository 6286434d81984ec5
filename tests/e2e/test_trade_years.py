"""BACI trade by year: a year loads on its own, re-loading replaces it, years that left the landing
directory are removed, and the sensor and schedule ask for exactly the years that changed."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
import pytest
from landing_fixtures import tiny_landing

from ingest.baci import reader as baci
from orchestration.definitions import build_defs
from orchestration.defs import ingest, schedules
from orchestration.defs.transform import CHANGING_SOURCES, LOADER_SOURCES
from orchestration.resources import LandingResource
from orchestration.settings import resolve_settings
from warehouse import load

if TYPE_CHECKING:  # the shared runs (tests/e2e/conftest.py)
    from conftest import Run

HEADER = "t,i,j,k,v,q"


def _write_year(folder: Path, year: int, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"BACI_HS17_Y{year}_V202501.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def _load(con: duckdb.DuckDBPyConnection, folder: Path, years: list[int]) -> load.SourceLoad:
    read = baci.read_baci_folder(folder, "baci", years=years, code_files=False)
    return load.load_trade_years(con, read, years)


def test_a_year_loads_on_its_own_and_reloading_replaces_it(tmp_path: Path) -> None:
    folder = tmp_path / "baci"
    _write_year(folder, 2022, ["2022,156,699,284690,10.000,1.000", "2022,999,699,284690,1.0,1.0"])
    _write_year(folder, 2023, ["2023,156,699,284690,20.000,1.000"])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _load(con, folder, [2022, 2023])
        # The 2023 file is republished with a new row and a bad one; only 2023 is reloaded.
        _write_year(
            folder,
            2023,
            ["2023,156,699,284690,25.000,1.000", "2023,104,699,284690,5.000,1.0"]
            + ["2023,156,699,284690,x,1.0"],
        )
        for _ in range(2):  # twice: no duplicates
            loaded = _load(con, folder, [2023])
        assert loaded.table_rows == {"baci_trade": 2}
        rows = con.execute(
            "select year, exporter_code, value_usd from raw.baci_trade order by year, exporter_code"
        ).fetchall()
        assert rows == [(2022, 156, 10_000.0), (2023, 104, 5_000.0), (2023, 156, 25_000.0)]
        quarantine = con.execute(
            "select source_file, source_line from raw.quarantine order by source_file"
        ).fetchall()
        # 2022's reject (unknown exporter 999) stays; 2023's is the new file's line 4, once.
        assert quarantine == [
            ("BACI_HS17_Y2022_V202501.csv", 3),
            ("BACI_HS17_Y2023_V202501.csv", 4),
        ]

        # 2022's file leaves the landing directory: pruning removes its rows and rejects.
        (folder / "BACI_HS17_Y2022_V202501.csv").unlink()
        assert load.prune_trade_years(con, keep=baci.trade_years(folder)) == [2022]
        assert con.execute("select distinct year from raw.baci_trade").fetchall() == [(2023,)]
        assert con.execute("select count(*) from raw.quarantine").fetchone() == (1,)


def test_a_load_refuses_rows_of_other_years(tmp_path: Path) -> None:
    folder = tmp_path / "baci"
    _write_year(folder, 2022, ["2022,156,699,284690,10.000,1.000"])
    read = baci.read_baci_folder(folder, "baci", years=[2022], code_files=False)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con, pytest.raises(ValueError, match="2022"):
        load.load_trade_years(con, read, [2023])


def test_sources_sharing_a_label_keep_their_own_quarantine(tmp_path: Path) -> None:
    """The demo labels BACI and USGS rows alike (`demo`); quarantine is keyed by source kind."""
    folder = tmp_path / "baci"
    _write_year(folder, 2023, ["2023,999,699,284690,1.0,1.0"])
    usgs = tmp_path / "usgs"
    usgs.mkdir()
    (usgs / "mcs2024-raree_world.csv").write_text(
        "Source,Country,Type,Prod_t_2022,Reserves_t\nMCS2024,China,Mine production,12x4,1\n"
    )
    from ingest.usgs_mcs import reader as usgs_mcs

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        read = baci.read_baci_folder(folder, "demo", years=[2023], code_files=False)
        load.load_trade_years(con, read, [2023])
        load.load_source_read(con, usgs_mcs.read_usgs_folder(usgs, "demo"), source="usgs_mcs")
        sources = con.execute("select source from raw.quarantine order by source").fetchall()
    assert sources == [("baci",), ("usgs_mcs",)]


def _aged(path: Path) -> None:
    old = time.time() - 3600
    os.utime(path, (old, old))


def test_sensor_asks_only_for_the_years_that_changed(tmp_path: Path) -> None:
    landing = tiny_landing(tmp_path / "landing")
    # The sensor takes the assets of the job from the definitions it belongs to.
    defs = build_defs(resolve_settings(data_dir=landing, warehouse=tmp_path / "critmin.duckdb"))
    for path in landing.rglob("*"):
        _aged(path)
    keys = [ingest.TRADE_KEY, dg.AssetKey(["raw", "usgs_mcs_world"])]
    with dg.instance_for_test() as instance:

        def tick(cursor: str | None) -> tuple[dg.RunRequest | dg.SkipReason, str | None]:
            with dg.build_sensor_context(
                instance=instance,
                cursor=cursor,
                resources={"landing": LandingResource(data_dir=str(landing))},
                definitions=defs,
            ) as context:
                result = schedules.landing_directory_sensor(context)
                return result, context.cursor

        first, cursor = tick(None)
        assert first.tags["dagster/asset_partition_range_start"] == "2023"
        assert first.tags["dagster/asset_partition_range_end"] == "2023"
        assert instance.get_dynamic_partitions("baci_year") == ["2023"]

        quiet, cursor = tick(cursor)
        assert isinstance(quiet, dg.SkipReason)

        # A new year lands: only it is asked for.
        _aged(_write_year(landing / "baci", 2024, ["2024,156,699,284690,1.000,1.000"]))
        new_year, cursor = tick(cursor)
        assert new_year.tags["dagster/asset_partition_range_start"] == "2024"
        assert new_year.tags["dagster/asset_partition_range_end"] == "2024"
        assert instance.get_dynamic_partitions("baci_year") == ["2023", "2024"]

        # Only a USGS file changes: the run leaves BACI trade out.
        usgs_file = landing / "usgs_mcs" / "mcs2024-raree_world.csv"
        usgs_file.write_bytes(usgs_file.read_bytes() + b"\r\n")
        _aged(usgs_file)
        production_only = schedules.refresh_request(instance, landing, keys, trade_years=[])
        assert production_only.asset_selection == [keys[1]]
        sensed, _ = tick(cursor)
        assert ingest.TRADE_KEY not in sensed.asset_selection


def test_schedule_loads_every_landed_year(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write_year(landing / "baci", 2021, ["2021,156,699,284690,1.000,1.000"])
    _write_year(landing / "baci", 2023, ["2023,156,699,284690,1.000,1.000"])
    defs = build_defs(resolve_settings(data_dir=landing, warehouse=tmp_path / "critmin.duckdb"))
    # The context is closed here: it enters an instance of its own (from the test instance's
    # reference), which otherwise stays current until the garbage collector finalizes it, in the
    # middle of a later test, and puts back this block's instance after it is gone.
    with (
        dg.instance_for_test() as instance,
        dg.build_schedule_context(
            instance=instance,
            resources={"landing": LandingResource(data_dir=str(landing))},
            repository_def=defs.get_repository_def(),
        ) as context,
    ):
        request = schedules.monthly_refresh(context)
        assert request.tags["dagster/asset_partition_range_start"] == "2021"
        assert request.tags["dagster/asset_partition_range_end"] == "2023"
        assert instance.get_dynamic_partitions("baci_year") == ["2021", "2023"]


def test_a_run_for_one_new_year_loads_only_that_year(tiny_run_copy: Run) -> None:
    landing, serving = tiny_run_copy.landing, tiny_run_copy.serving
    settings = resolve_settings(data_dir=landing, warehouse=serving)
    _write_year(landing / "baci", 2024, ["2024,156,699,284690,7.000,1.000"])

    with dg.DagsterInstance.ephemeral() as instance:
        # Resolved inside the instance's block, as `critmin run` does (critmin/pipeline.py).
        job = build_defs(settings).resolve_job_def(schedules.FULL_REFRESH_JOB)
        ingest.register_trade_years(instance, landing)
        result = job.execute_in_process(instance=instance, partition_key="2024")
    assert result.success
    with duckdb.connect(str(serving), read_only=True) as con:
        logged = con.execute(
            "select source_file from raw.load_log where run_id = ? and source = 'baci'",
            [result.run_id],
        ).fetchall()
        years = con.execute(
            "select year, count(*) from raw.baci_trade group by year order by year"
        ).fetchall()
        flows_2024 = con.execute(
            "select value_usd from marts.fct_trade_flows where year = 2024"
        ).fetchall()
    assert logged == [("BACI_HS17_Y2024_V202501.csv",)]
    assert years == [(2023, 5), (2024, 1)]
    assert flows_2024 == [(7_000.0,)]


def test_an_earlier_year_landing_late_is_inside_the_range(tmp_path: Path) -> None:
    """Partitions are kept in year order, so a full range always covers every landed year."""
    landing = tmp_path / "landing"
    _write_year(landing / "baci", 2022, ["2022,156,699,284690,1.000,1.000"])
    _write_year(landing / "baci", 2023, ["2023,156,699,284690,1.000,1.000"])
    with dg.instance_for_test() as instance:
        ingest.register_trade_years(instance, landing)
        _write_year(landing / "baci", 2019, ["2019,156,699,284690,1.000,1.000"])
        years = ingest.register_trade_years(instance, landing)
        assert instance.get_dynamic_partitions("baci_year") == ["2019", "2022", "2023"]
        tags = ingest.trade_year_range_tags(years)
        keys = instance.get_dynamic_partitions("baci_year")
        start = keys.index(tags["dagster/asset_partition_range_start"])
        end = keys.index(tags["dagster/asset_partition_range_end"])
        assert keys[start : end + 1] == ["2019", "2022", "2023"]


def test_trade_year_digests_follow_the_files_of_the_year_and_the_key(tmp_path: Path) -> None:
    """A year's digest changes when one of its files is rewritten, added or renamed, or the key
    changes; another year's and a rerun's do not."""
    folder = tmp_path / "baci"
    _write_year(folder, 2022, ["2022,156,699,284690,10.000,1.000"])
    _write_year(folder, 2023, ["2023,156,699,284690,20.000,1.000"])
    first = baci.trade_year_digests(folder, [2022, 2023], "key")
    assert baci.trade_year_digests(folder, [2022, 2023], "key") == first
    assert baci.trade_year_digests(folder, [2022, 2023], "other key")[2022] != first[2022]
    _write_year(folder, 2023, ["2023,156,699,284690,21.000,1.000"])
    rewritten = baci.trade_year_digests(folder, [2022, 2023], "key")
    assert rewritten[2022] == first[2022] and rewritten[2023] != first[2023]
    (folder / "BACI_HS92_Y2023_V202401b.csv").write_text(HEADER + "\n")
    added = baci.trade_year_digests(folder, [2023], "key")[2023]
    assert added != rewritten[2023]
    (folder / "BACI_HS92_Y2023_V202401b.csv").rename(folder / "BACI_HS96_Y2023_V202401b.csv")
    assert baci.trade_year_digests(folder, [2023], "key")[2023] not in (added, rewritten[2023])


def _mart_tables(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}


# What a build after changed trade years keeps: the models and tests not reading trade.
KEPT = re.compile(r"; \d+ nodes not reading trade kept")


def _ran_and_not_kept(build: Path, changing: tuple) -> tuple[set[str], set[str]]:
    """The nodes dbt ran in the last build of `build`'s folder (its run_results.json), and the
    models, seeds and data tests of its manifest that `kept_nodes` does not keep for the
    sources `changing`: the build is given a selector (dbt_project/selectors.yml), and the two
    must name the same nodes."""
    from orchestration.defs import transform

    target = build / ".build" / "dbt-target"
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    kept = {node["unique_id"] for node in transform.kept_nodes(manifest, changing)}
    not_kept = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "test") and unique_id not in kept
    }
    return {result["unique_id"] for result in results["results"]}, not_kept


def _line(outcome: object, phase: str) -> str:
    """What the run's line for `phase` says, from its complete log."""
    lines = outcome.log_file.read_text(encoding="utf-8").splitlines()
    return next(line for line in lines if f"  {phase} " in line).split(phase, 1)[1].strip()


def _plan(outcome: object) -> str:
    """The run's `dbt plan` line."""
    return _line(outcome, "dbt plan")


def _same_marts_as_a_full_refresh(landing: Path, serving: Path, fresh: Path) -> None:
    from critmin.pipeline import run_pipeline

    full = run_pipeline(resolve_settings(data_dir=landing, warehouse=fresh), echo=lambda _: None)
    assert full.success and _plan(full).startswith("full refresh")
    incremental, refreshed = _mart_tables(serving), _mart_tables(fresh)
    assert incremental.keys() == refreshed.keys() and len(incremental) > 20
    for table, rows in refreshed.items():
        assert incremental[table] == rows, table


def test_a_run_reads_only_changed_years_and_builds_the_marts_of_a_full_refresh(
    tmp_path: Path,
) -> None:
    """The first `critmin run` reads 2022 and 2023. Then 2023's file is republished with one more
    flow (China -> India, 284610) and 2024's lands: the second run reads those two files and
    keeps 2022's rows as loaded, and dbt rebuilds only 2023 and 2024 in the models incremental by
    year. Its marts are those of a run that reads all three years into a new warehouse. Then
    2022's file leaves: the third run deletes that year from those models, and again its marts
    are a full refresh's. A fourth run with nothing new runs only the tests of the loader's
    tables and leaves every mart as it was."""
    from critmin.pipeline import run_pipeline

    landing = tiny_landing(tmp_path / "landing")
    _write_year(landing / "baci", 2022, ["2022,156,699,284690,10.000,1.000"])
    serving = tmp_path / "critmin.duckdb"
    settings = resolve_settings(data_dir=landing, warehouse=serving)
    first = run_pipeline(settings, echo=lambda _: None)
    assert first.success
    assert _plan(first) == "full refresh: no complete build of this file recorded"
    trade_2023 = landing / "baci" / "BACI_HS17_Y2023_V202501.csv"
    lines = trade_2023.read_text().splitlines()
    trade_2023.write_text("\n".join([*lines, "2023,156,699,284610,25.000,1.000"]) + "\n")
    _write_year(landing / "baci", 2024, ["2024,156,699,284690,7.000,1.000"])
    second = run_pipeline(settings, echo=lambda _: None)
    assert second.success and second.published
    assert KEPT.fullmatch(_plan(second).removeprefix("trade years rebuilt: 2023, 2024; 1 kept"))
    # dbt ran what reads trade, with the tests joining it to the kept dimensions, and not the
    # models that do not read trade.
    ran_ids, not_kept = _ran_and_not_kept(tmp_path, CHANGING_SOURCES)
    assert ran_ids == not_kept
    ran = {unique_id.split(".")[2] for unique_id in ran_ids}
    assert {"fct_trade_flows", "mart_alternative_suppliers", "mart_supply_shock"} <= ran
    assert any(name.startswith("relationships_fct_trade_flows_exporter_iso3") for name in ran)
    assert not {"dim_country", "fct_production", "mart_production_concentration"} & ran
    # The other sources' landed files are those they were loaded from: kept, not read again.
    assert "unchanged since loaded, kept" in _line(second, "ingest usgs_mcs")

    with duckdb.connect(str(serving), read_only=True) as con:
        runs = con.execute(
            "select run_id, list(source_file order by source_file) from raw.load_log "
            "where source = 'baci' group by run_id order by min(loaded_at)"
        ).fetchall()
        years = con.execute(
            "select year, count(*) from raw.baci_trade group by year order by year"
        ).fetchall()
    assert [files for _, files in runs] == [
        ["BACI_HS17_Y2022_V202501.csv", "BACI_HS17_Y2023_V202501.csv"],
        ["BACI_HS17_Y2023_V202501.csv", "BACI_HS17_Y2024_V202501.csv"],
    ]
    assert years == [(2022, 1), (2023, 6), (2024, 1)]
    _same_marts_as_a_full_refresh(landing, serving, tmp_path / "fresh" / "critmin.duckdb")

    (landing / "baci" / "BACI_HS17_Y2022_V202501.csv").unlink()
    # A USGS file gains a line ending: read again, it gives the same rows, so the models are
    # not refreshed for it.
    usgs = landing / "usgs_mcs" / "mcs2024-raree_world.csv"
    usgs.write_bytes(usgs.read_bytes() + b"\r\n")
    third = run_pipeline(settings, echo=lambda _: None)
    assert third.success and third.published
    assert "unchanged" not in _line(third, "ingest usgs_mcs")
    assert KEPT.fullmatch(_plan(third).removeprefix("trade years rebuilt: 2022; 2 kept"))
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.fct_trade_flows where year = 2022"
        ).fetchone() == (0,)
    _same_marts_as_a_full_refresh(landing, serving, tmp_path / "fresh2" / "critmin.duckdb")

    # Nothing new lands: only the loader's own tables change, and dbt runs their tests alone.
    before = _mart_tables(serving)
    fourth = run_pipeline(settings, echo=lambda _: None)
    assert fourth.success and fourth.published
    assert re.fullmatch(
        r"no trade year changed; 2 kept; \d+ nodes not reading the loader's tables kept",
        _plan(fourth),
    )
    ran, not_kept = _ran_and_not_kept(tmp_path, LOADER_SOURCES)
    assert ran == not_kept
    assert ran and all(
        unique_id.startswith("test.") and "stg_warehouse__" in unique_id for unique_id in ran
    ), ran
    assert _mart_tables(serving) == before
