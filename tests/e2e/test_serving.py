"""Build and serve: publishing is atomic, failed runs publish nothing, readers never see a
half-built version, the marts are exported to Parquet and new landing files are noticed."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import great_expectations as gx
import pytest
import sqlalchemy as sa
from landing_fixtures import tiny_landing

from critmin.pipeline import run_pipeline
from orchestration import expectations, landing_watch
from orchestration.defs import quality
from orchestration.defs.transform import DBT_EXECUTABLE
from orchestration.settings import resolve_settings
from warehouse import publish
from warehouse.paths import BUILD_WAREHOUSE_ENV, DBT_PROJECT_DIR, build_path, docs_dir, export_dir

if TYPE_CHECKING:  # the shared runs (tests/e2e/conftest.py)
    from conftest import Run

# --- publish ---------------------------------------------------------------------------------


def _build_with(path: Path, flows: list[tuple[int, float]]) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.flows (year integer, value double)")
        con.executemany("insert into marts.flows values (?, ?)", flows)
        con.execute("create or replace table marts.dim (code varchar)")
        con.execute("insert into marts.dim values ('a'), ('b')")


def test_a_staged_copy_left_without_swap_in_leaves_the_serving_file_and_no_copy(
    tmp_path: Path,
) -> None:
    """The publish copies the build file while it exports the marts and writes the docs: when
    one of those fails, the copy is waited for and removed, and the serving file is the one
    published before."""
    build, serving = tmp_path / "build.duckdb", tmp_path / "serve" / "w.duckdb"
    _build_with(build, [(2023, 1.0)])
    first = publish.publish(build, serving, run_id="r1", landing_dir="/landing")
    _build_with(build, [(2023, 1.0), (2024, 2.0)])
    version = publish.prepare(build, "r2", "/landing")
    with pytest.raises(RuntimeError, match="export failed"):
        with publish.staged_copy(build, serving, version):
            # Read while the copy is written, as the export does.
            with duckdb.connect(str(build), read_only=True) as con:
                assert con.execute("select sum(value) from marts.flows").fetchone() == (3.0,)
            raise RuntimeError("export failed")
    assert _read_in_new_process(serving) == [first.version_id, 1.0]
    assert sorted(p.name for p in serving.parent.iterdir()) == ["w.duckdb"]

    with publish.staged_copy(build, serving, version) as copy:
        published = copy.swap_in()
    assert published.version_id == version
    assert _read_in_new_process(serving) == [version, 3.0]
    assert sorted(p.name for p in serving.parent.iterdir()) == ["w.duckdb"]


def _read_in_new_process(serving: Path) -> list:
    script = (
        "import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(json.dumps(con.execute('select (select version_id from meta.warehouse_version),"
        " (select sum(value) from marts.flows)').fetchone()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(serving)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_publish_swaps_the_file_and_open_readers_keep_their_version(tmp_path: Path) -> None:
    build, serving = tmp_path / "build.duckdb", tmp_path / "serve" / "w.duckdb"
    _build_with(build, [(2023, 1.0)])
    first = publish.publish(build, serving, run_id="r1", landing_dir="/landing")
    assert publish.serving_version(serving) == first.version_id

    reader = duckdb.connect(str(serving), read_only=True)
    try:
        _build_with(build, [(2023, 1.0), (2024, 2.0)])
        second = publish.publish(build, serving, run_id="r2", landing_dir="/landing")
        # The reader that opened version 1 keeps reading version 1, whole.
        assert reader.execute(
            "select (select version_id from meta.warehouse_version), sum(value) from marts.flows"
        ).fetchone() == (first.version_id, 1.0)
    finally:
        reader.close()
    # A reader that opens the path now gets version 2.
    assert _read_in_new_process(serving) == [second.version_id, 3.0]
    assert second.version_id != first.version_id
    # Nothing is left behind beside the serving file.
    assert sorted(p.name for p in serving.parent.iterdir()) == ["w.duckdb"]


def _flows_by_year(export: Path) -> list[tuple]:
    """The `flows` mart's value per year, read back from an export's Parquet partitions."""
    with duckdb.connect() as con:
        return con.execute(
            "select year, sum(value) from read_parquet(?, hive_partitioning = true) "
            "group by year order by year",
            [str(export / "flows" / "**" / "*.parquet")],
        ).fetchall()


def test_parquet_export_is_partitioned_by_year_and_switched_in_one_rename(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    _build_with(build, [(2023, 1.0), (2023, 4.0), (2024, 2.0)])
    root = tmp_path / "parquet"
    versions = []
    for _ in range(3):
        version_id = publish.prepare(build, run_id="r", landing_dir="/l")
        publish.export_marts_parquet(build, root, version_id)
        current = publish.switch_current_export(root, version_id)
        versions.append(version_id)
    assert current.is_symlink() and current.resolve().name == versions[-1]
    assert sorted(p.name for p in (current / "flows").iterdir()) == ["year=2023", "year=2024"]
    by_year = _flows_by_year(current)
    with duckdb.connect() as con:
        dim = con.execute("select count(*) from read_parquet(?)", [str(current / "dim.parquet")])
        assert dim.fetchone() == (2,)
    assert by_year == [(2023, 5.0), (2024, 2.0)]
    # Only the last two exports are kept.
    assert sorted(p.name for p in (root / "versions").iterdir()) == sorted(versions[-2:])


def _partition_files(export: Path) -> dict[str, int]:
    """Each Parquet file of the `flows` mart under `export`, by partition, with its inode."""
    return {
        str(path.relative_to(export / "flows")): path.stat().st_ino
        for path in sorted((export / "flows").rglob("*.parquet"))
    }


def test_parquet_export_writes_only_the_years_whose_rows_changed(tmp_path: Path) -> None:
    """A year whose rows are those of the current export is linked from it (the same file);
    a year whose rows changed, a new year and the marts without a year are written."""
    build = tmp_path / "build.duckdb"
    root = tmp_path / "parquet"

    def export(flows: list[tuple[int, float]]) -> Path:
        _build_with(build, flows)
        version_id = publish.prepare(build, run_id="r", landing_dir="/l")
        publish.export_marts_parquet(build, root, version_id)
        return publish.switch_current_export(root, version_id).resolve()

    first = _partition_files(export([(2022, 1.0), (2023, 4.0)]))
    second_export = export([(2022, 1.0), (2023, 5.0), (2024, 2.0)])
    second = _partition_files(second_export)
    assert second.keys() == {
        "year=2022/data_0.parquet",
        "year=2023/data_0.parquet",
        "year=2024/data_0.parquet",
    }
    assert second["year=2022/data_0.parquet"] == first["year=2022/data_0.parquet"]
    assert second["year=2023/data_0.parquet"] != first["year=2023/data_0.parquet"]
    assert _flows_by_year(second_export) == [(2022, 1.0), (2023, 5.0), (2024, 2.0)]
    # A column's type changes: every year is written again, none is linked.
    with duckdb.connect(str(build)) as con:
        con.execute("alter table marts.flows alter value type decimal(18, 3)")
    version_id = publish.prepare(build, run_id="r", landing_dir="/l")
    publish.export_marts_parquet(build, root, version_id)
    third = _partition_files(publish.switch_current_export(root, version_id).resolve())
    assert not set(third.values()) & set(second.values())


# --- the landing-directory sensor's scan -------------------------------------------------------


def test_landing_scan_reports_new_and_changed_files_by_checksum(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "baci").mkdir(parents=True)
    trade = landing / "baci" / "BACI_HS17_Y2023_V202501.csv"
    trade.write_text("t,i,j,k,v,q\n")
    (landing / "baci" / "BACI_HS17_Y2024_V202501.csv.part").write_text("half")
    (landing / "baci" / ".hidden").write_text("x")
    later = time.time() + 120

    first = landing_watch.scan(landing, None, settle_seconds=60, now=later)
    assert first.changed == ("baci/BACI_HS17_Y2023_V202501.csv",)
    assert landing_watch.scan(landing, first.cursor, settle_seconds=60, now=later).changed == ()

    # Same bytes, new modification time: not a change.
    os.utime(trade, (later - 100, later - 100))
    touched = landing_watch.scan(landing, first.cursor, settle_seconds=60, now=later)
    assert touched.changed == ()
    # New content: a change, with a different run key.
    trade.write_text("t,i,j,k,v,q\n2023,156,699,284690,1.0,1.0\n")
    os.utime(trade, (later - 100, later - 100))
    edited = landing_watch.scan(landing, touched.cursor, settle_seconds=60, now=later)
    assert edited.changed == ("baci/BACI_HS17_Y2023_V202501.csv",)
    assert edited.run_key != first.run_key


def test_landing_scan_waits_for_files_still_being_written(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "usgs_mcs").mkdir(parents=True)
    growing = landing / "usgs_mcs" / "mcs2024-raree_world.csv"
    growing.write_text("Source,Country\n")
    now = time.time()
    waiting = landing_watch.scan(landing, None, settle_seconds=60, now=now)
    assert (waiting.changed, waiting.unsettled) == ((), ("usgs_mcs/mcs2024-raree_world.csv",))
    settled = landing_watch.scan(landing, waiting.cursor, settle_seconds=60, now=now + 61)
    assert settled.changed == ("usgs_mcs/mcs2024-raree_world.csv",)


# --- whole runs ----------------------------------------------------------------------------------


def test_a_run_whose_checks_fail_publishes_nothing(tiny_run_copy: Run, tmp_path: Path) -> None:
    serving, good = tiny_run_copy.serving, tiny_run_copy.outcome
    assert (docs_dir(serving) / "index.html").stat().st_size > 10_000
    assert (export_dir(serving) / "current" / "mart_import_dependency").is_dir()
    assert_docs_catalog_is_dbts(serving, tmp_path / "dbt-docs")

    # A stricter rule the data cannot meet: every importer's HHI below 0.1.
    strict = expectations.import_dependency_suite

    def impossible_suite():
        suite = strict()
        suite.add_expectation(
            gx.expectations.ExpectColumnValuesToBeBetween(column="hhi", max_value=0.1)
        )
        return suite

    stricter = [
        dataclasses.replace(v, suite=impossible_suite) if v.mart == "mart_import_dependency" else v
        for v in quality.MART_VALIDATIONS
    ]
    landing2 = tiny_landing(
        tmp_path / "landing2", extra_baci_rows=["2023,36,699,284690,1.000,1.000"]
    )
    bad = run_pipeline(
        resolve_settings(data_dir=landing2, warehouse=serving),
        echo=lambda _: None,
        validations=stricter,
    )
    assert not bad.success and not bad.published
    assert [c.name for c in bad.failed_checks] == ["gx_import_dependency"]
    assert "hhi" in bad.failed_checks[0].description
    # The serving copy, its Parquet export and its docs are the good run's, untouched; the
    # build copy holds the rejected build.
    assert publish.serving_version(serving) == good.published_version
    assert (export_dir(serving) / "current").resolve().name == good.published_version
    versions = sorted(p.name for p in (export_dir(serving) / "versions").iterdir())
    assert versions == [good.published_version]
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_trade_flows").fetchone() == (5,)
    with duckdb.connect(str(build_path(serving)), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_trade_flows").fetchone() == (6,)
    summary = bad.summary(elapsed_s=1.0)
    assert "NOT published" in summary and good.published_version in summary


def assert_docs_catalog_is_dbts(serving: Path, scratch: Path) -> None:
    """The catalog critmin publishes (read in its own process) is the one `dbt docs generate`
    writes for the same warehouse: same nodes and sources, same columns, types and comments."""
    copy = scratch / serving.name
    scratch.mkdir()
    shutil.copyfile(serving, copy)
    env = {**os.environ, BUILD_WAREHOUSE_ENV: str(copy), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run(
        [str(DBT_EXECUTABLE), "docs", "generate", "--no-compile", "--quiet"]
        + ["--target-path", str(scratch / "target")]
        + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env,
        check=True,
        capture_output=True,
    )
    dbts = json.loads((scratch / "target" / "catalog.json").read_text(encoding="utf-8"))
    ours = json.loads((docs_dir(serving) / "catalog.json").read_text(encoding="utf-8"))
    assert len(ours["nodes"]) > 40 and len(ours["sources"]) > 10
    assert ours["nodes"] == dbts["nodes"]
    assert ours["sources"] == dbts["sources"]
    page = (docs_dir(serving) / "index.html").read_text(encoding="utf-8")
    assert "MANIFEST.JSON INLINE DATA" not in page and "CATALOG.JSON INLINE DATA" not in page
    assert '"model.critmin.mart_import_dependency"' in page


def _critmin_run(landing: Path, serving: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "critmin.cli", "run", "--data-dir", str(landing)]
        + ["--warehouse", str(serving)],
        check=True,
        capture_output=True,
    )


def test_bi_client_queries_without_error_while_two_runs_publish(tmp_path: Path) -> None:
    """A SQLAlchemy client through duckdb-engine (what Superset uses) keeps querying the serving
    warehouse while two pipeline runs, in their own processes, publish new versions."""
    serving = tmp_path / "critmin.duckdb"
    # One more flow to India per run: from Australia (36), then also from Malaysia (458).
    extra = ["2023,36,699,284690,1.000,1.000", "2023,458,699,284690,2.000,1.000"]
    landings = [tiny_landing(tmp_path / f"landing{n}", extra[:n]) for n in range(3)]
    _critmin_run(landings[0], serving)

    engine = sa.create_engine(
        f"duckdb:///{serving}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool
    )
    answers: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_querying() -> None:
        while not stop.is_set():
            try:
                with engine.connect() as connection:
                    row = connection.execute(
                        sa.text(
                            "select (select version_id from meta.warehouse_version), "
                            "(select count(*) from marts.fct_trade_flows)"
                        )
                    ).one()
                answers.append((row[0], row[1]))
            except BaseException as error:  # noqa: BLE001 - every failure is a finding
                errors.append(error)

    client = threading.Thread(target=keep_querying)
    client.start()
    try:
        for landing in landings[1:]:
            _critmin_run(landing, serving)
    finally:
        time.sleep(0.5)
        stop.set()
        client.join()
    engine.dispose()

    assert errors == []
    assert len(answers) > 10
    flows_by_version: dict[str, set[int]] = {}
    for version, flows in answers:
        flows_by_version.setdefault(version, set()).add(flows)
    # Every answer comes from one complete version: one flow count per version id, and the
    # versions are those the three runs published (5, 6, then 7 flows).
    assert all(len(counts) == 1 for counts in flows_by_version.values())
    assert {counts.pop() for counts in flows_by_version.values()} <= {5, 6, 7}
    assert len(flows_by_version) >= 2
    # A client that connects after the last publish reads the last version. (Within one
    # process, DuckDB shares an open database among its connections, so a process that still
    # holds a connection to the old file keeps reading that version until it lets go.)
    script = (
        "import sqlalchemy as sa, sys; engine = sa.create_engine('duckdb:///' + sys.argv[1], "
        "connect_args={'read_only': True}); connection = engine.connect(); "
        "print(connection.execute(sa.text('select count(*) from marts.fct_trade_flows')).one()[0])"
    )
    latest = subprocess.run(
        [sys.executable, "-c", script, str(serving)], capture_output=True, text=True, check=True
    )
    assert latest.stdout.strip() == "7"


def test_a_second_run_on_the_same_warehouse_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from critmin import cli, pipeline

    serving = tmp_path / "critmin.duckdb"
    build = build_path(serving)
    build.parent.mkdir(parents=True)
    landing = tiny_landing(tmp_path / "landing")
    with pipeline._build_lock(build):
        code = cli.main(["run", "--data-dir", str(landing), "--warehouse", str(serving)])
    assert code == 2
    assert "another run is building" in capsys.readouterr().err
    assert not serving.exists()


# --- damaged files: the build file is scratch, an unreadable serving file is replaced ---------


def _damage(path: Path) -> bytes:
    garbage = os.urandom(max(path.stat().st_size, 4096) if path.exists() else 4096)
    path.write_bytes(garbage)
    return garbage


def test_publishing_over_an_unreadable_serving_file_keeps_it_aside(tmp_path: Path) -> None:
    from warehouse import access

    build, serving = tmp_path / "build.duckdb", tmp_path / "serve" / "w.duckdb"
    _build_with(build, [(2023, 1.0)])
    publish.publish(build, serving, run_id="r1", landing_dir="/landing")
    garbage = _damage(serving)

    assert publish.serving_version(serving) is None
    assert "not a valid DuckDB database file" in publish.serving_problem(serving)
    with pytest.raises(access.WarehouseUnreadableError, match="Run `critmin run` to rebuild"):
        access.run_query(serving, "select 1")

    published = publish.publish(build, serving, run_id="r2", landing_dir="/landing")
    assert published.replaced_unreadable == serving.with_name("w.duckdb.broken")
    assert published.replaced_unreadable.read_bytes() == garbage
    assert _read_in_new_process(serving) == [published.version_id, 1.0]
    assert publish.serving_problem(serving) is None
    # A readable serving file is replaced without being kept.
    again = publish.publish(build, serving, run_id="r3", landing_dir="/landing")
    assert again.replaced_unreadable is None


def test_query_on_an_unreadable_serving_file_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from critmin import cli

    serving = tmp_path / "critmin.duckdb"
    _damage(serving)
    assert cli.main(["query", "select 1", "--warehouse", str(serving)]) == 2
    err = capsys.readouterr().err
    assert f"{serving} is not a valid DuckDB file" in err
    assert "Run `critmin run` to rebuild and republish it" in err


def test_a_damaged_or_interrupted_build_file_is_set_aside(tmp_path: Path) -> None:
    from critmin.pipeline import heal_build, run_marker

    build = tmp_path / ".build" / "critmin.duckdb"
    build.parent.mkdir()
    # A healthy build file stays.
    _build_with(build, [(2023, 1.0)])
    assert heal_build(build) == []
    assert build.exists()

    # An interrupted run: its marker names the copy it was writing (with its write-ahead log),
    # and a process it left behind created another one under its old name meanwhile.
    written = build.with_name("critmin.duckdb.run-20260101T000000-1")
    _build_with(written, [(2023, 2.0)])
    written.with_name(f"{written.name}.wal").write_bytes(b"wal")
    run_marker(build).write_text(f"{written.name}\npid 1, started 2026-01-01 00:00:00 UTC\n")
    (repair,) = heal_build(build)
    assert "interrupted run (pid 1, started 2026-01-01" in repair
    assert not written.exists() and not run_marker(build).exists()
    assert build.with_name("critmin.duckdb.interrupted.wal").read_bytes() == b"wal"
    with duckdb.connect(str(build.with_name("critmin.duckdb.interrupted")), read_only=True) as con:
        assert con.execute("select sum(value) from marts.flows").fetchone() == (2.0,)
    orphaned = build.with_name("critmin.duckdb.run-20260101T000000-1")
    orphaned.write_bytes(b"written by an orphaned dbt")
    assert heal_build(build) == []
    assert not orphaned.exists() and build.exists()

    # Damaged: set aside as .broken, only the last one kept.
    for _ in range(2):
        garbage = _damage(build)
        (repair,) = heal_build(build)
        assert "could not be opened" in repair and "not a valid DuckDB database file" in repair
        assert not build.exists()
    assert build.with_name("critmin.duckdb.broken").read_bytes() == garbage
    assert sorted(p.name for p in build.parent.iterdir()) == [
        "critmin.duckdb.broken",
        "critmin.duckdb.interrupted",
        "critmin.duckdb.interrupted.wal",
    ]


def test_a_landing_file_rewritten_while_it_is_read_is_refused(tmp_path: Path) -> None:
    from orchestration.defs.ingest import LandingChangedError, read_steady

    landing = tiny_landing(tmp_path / "landing")
    trade = landing / "baci" / "BACI_HS17_Y2023_V202501.csv"

    def read_then_rewrite():
        text = trade.read_text()
        with trade.open("r+b") as handle:  # the publisher rewrites it in place meanwhile
            handle.truncate(0)
            handle.write(b"t,i,j,k,v,q\n")
        return text

    with pytest.raises(LandingChangedError, match="BACI_HS17_Y2023_V202501.csv changed while"):
        read_steady(landing / "baci", read_then_rewrite)
    assert read_steady(landing / "baci", trade.read_text) == "t,i,j,k,v,q\n"


def test_a_failed_run_summary_says_what_to_do_without_a_traceback(tmp_path: Path) -> None:
    from critmin.pipeline import PipelineOutcome
    from orchestration.console import error_summary

    try:
        try:
            raise OSError(27, "File too large")
        except OSError as error:
            raise RuntimeError("Error occurred while executing op ingest_usgs_mcs") from error
    except RuntimeError as error:
        from dagster._utils.error import serializable_error_info_from_exc_info

        info = serializable_error_info_from_exc_info((type(error), error, error.__traceback__))
    assert error_summary(info) == "OSError: [Errno 27] File too large"

    outcome = PipelineOutcome(
        warehouse=tmp_path / "critmin.duckdb",
        data_dir=tmp_path / "landing",
        run_succeeded=False,
        failed_steps=("ingest_usgs_mcs",),
        checks=(),
        previous_version="v1",
        published_version="v1",
        repairs=("the build file could not be opened (...); kept it as critmin.duckdb.broken",),
        step_errors={"ingest_usgs_mcs": error_summary(info)},
        log_file=tmp_path / "logs" / "run-1.log",
    )
    summary = outcome.summary(elapsed_s=1.0)
    assert "Traceback" not in summary
    assert "FAILED step: ingest_usgs_mcs: OSError: [Errno 27] File too large" in summary
    assert "repaired:    the build file could not be opened" in summary
    assert f"full log:    {tmp_path / 'logs' / 'run-1.log'}" in summary
    assert "what to do:  free disk space" in summary
    assert "NOT published: the serving warehouse is unchanged (version v1)" in summary


def test_a_failed_scheduled_run_is_recorded_with_advice_and_its_trace_in_a_log(
    tmp_path: Path,
) -> None:
    """The run failure sensor on a real failed run (a step whose disk is full): one line per
    failed step and what to do in run-failures.log, the trace in logs/run-<run id>.log."""
    from dagster import DagsterInstance, build_run_status_sensor_context, job, op

    from orchestration.defs.schedules import FAILURE_LOG, report_run_failure
    from orchestration.resources import ServingResource

    @op
    def write_build() -> None:
        raise OSError(27, "File too large")

    @job
    def failing() -> None:
        write_build()

    serving = tmp_path / "critmin.duckdb"
    with DagsterInstance.ephemeral() as instance:
        result = failing.execute_in_process(instance=instance, raise_on_error=False)
        context = build_run_status_sensor_context(
            sensor_name="report_run_failure",
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            resources={"serving": ServingResource(path=str(serving))},
        ).for_run_failure()
        report_run_failure(context)
    entry = (tmp_path / FAILURE_LOG).read_text()
    assert "write_build: OSError: [Errno 27] File too large" in entry
    assert f"The serving warehouse {serving} was not changed." in entry
    assert "What to do:" in entry
    assert "Traceback" not in entry and "Stack Trace" not in entry
    trace = tmp_path / "logs" / f"run-{result.run_id}.log"
    assert f"Full trace: {trace}" in entry
    assert "Stack Trace" in trace.read_text() and "File too large" in trace.read_text()


def test_critmin_connections_cap_duckdb_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's default buffer limit is 80% of the machine; critmin's connections use the
    configured cap (and the default when none is set), readers and writers alike."""
    from warehouse import access

    path = tmp_path / "w.duckdb"
    monkeypatch.setenv(access.MEMORY_LIMIT_ENV, "300MB")
    with access.writer(path) as con:
        # DuckDB reports the limit in MiB: 300 MB = 286.1 MiB.
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("286.1 MiB",)
    monkeypatch.delenv(access.MEMORY_LIMIT_ENV)
    with access.reader(path) as con:
        # 600 MB = 572.2 MiB.
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("572.2 MiB",)
    # The checks and the export ask for a smaller cap of their own: 200 MB = 190.7 MiB.
    with access.reader(path, access.RUN_READ_MEMORY_LIMIT) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("190.7 MiB",)
