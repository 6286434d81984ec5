"""Build the dbt project on a scratch warehouse whose raw tables a test fills by hand."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from warehouse.load import ensure_raw_schema
from warehouse.paths import BUILD_WAREHOUSE_ENV, DBT_PROJECT_DIR


def release_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run, so the test
    can open the file read-only."""
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def _invoke_dbt(warehouse: Path, tmp: Path, args: list[str]) -> dict[str, str]:
    """Run one dbt command on `warehouse` in this process; return the nodes that did not pass
    (name -> status and message). Fails the test when dbt itself errors."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(BUILD_WAREHOUSE_ENV, str(warehouse))
        result = dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(tmp / "target"),
                "--log-path",
                str(tmp / "logs"),
                "--no-partial-parse",
            ]
        )
    release_dbt_duckdb()
    assert result.exception is None, result.exception
    return {
        r.node.name: f"{r.status}: {r.message}"
        for r in result.result
        if str(r.status) not in ("success", "pass")
    }


def dbt_build(
    tmp: Path,
    fill_raw: Callable[[duckdb.DuckDBPyConnection], None] | None,
    select: list[str] | None = None,
) -> tuple[Path, dict[str, str]]:
    """Create `tmp/warehouse.duckdb` with the raw schema, let `fill_raw` insert rows, run
    `dbt build` once in this process (only the nodes `select` names, when given), and return
    the file and the nodes that did not pass (name -> status and message). Fails the test when
    dbt itself errors."""
    warehouse = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        ensure_raw_schema(con)
        if fill_raw is not None:
            fill_raw(con)
    finally:
        con.close()
    # Tests run only when every model they read was selected.
    selection = ["--select", *select, "--indirect-selection", "cautious"] if select else []
    return warehouse, _invoke_dbt(warehouse, tmp, ["build", *selection])


def dbt_test(warehouse: Path, tmp: Path, tests: list[str]) -> dict[str, str]:
    """Run the dbt data tests named `tests` on an already built `warehouse`; return the ones
    that did not pass (name -> status and message)."""
    return _invoke_dbt(warehouse, tmp, ["test", "--select", *tests])


def copy_of_built(con: duckdb.DuckDBPyConnection, copy: Path) -> Path:
    """A copy at `copy` of the warehouse a read-only fixture connection has open, for a test that
    breaks rows in it."""
    (source,) = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    shutil.copyfile(source, copy)
    return copy


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert a frame's columns into raw.<table> (test data, fixed table names)."""
    rows = frame.to_arrow()  # noqa: F841 - read by DuckDB's replacement scan
    columns = ", ".join(frame.columns)
    con.execute(f"insert into raw.{table} ({columns}) select {columns} from rows")


def insert_policy_event(
    con: duckdb.DuckDBPyConnection,
    line: int,
    event_id: str,
    imposing_iso3: str,
    measure_type: str,
    effective: object,
    elements: list[str],
    minerals: list[str],
    hs6s: list[str],
    targets: list[str],
) -> None:
    """One in-force register event with its HS6 codes and targets, as the register loader
    writes them (`events.yaml`, the event's line)."""
    con.execute(
        "insert into raw.policy_events (event_id, imposing_iso3, title, measure_type, "
        "effective_date, elements, minerals, status, source, source_file, source_line) "
        "values (?, ?, ?, ?, ?, ?, ?, 'in_force', 'policy_register', 'events.yaml', ?)",
        [event_id, imposing_iso3, event_id, measure_type, effective, elements, minerals, line],
    )
    for hs6 in hs6s:
        con.execute(
            "insert into raw.policy_event_hs6 values (?, ?, 'events.yaml')", [event_id, hs6]
        )
    for target in targets:
        con.execute(
            "insert into raw.policy_event_targets values (?, ?, 'events.yaml')", [event_id, target]
        )


def built_reader(
    tmp: Path, fill_raw: Callable[[duckdb.DuckDBPyConnection], None]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """For a module fixture: build with every dbt node passing, then yield a read-only
    connection to the warehouse."""
    warehouse, not_passed = dbt_build(tmp, fill_raw)
    assert not not_passed, not_passed
    reader = duckdb.connect(str(warehouse), read_only=True)
    yield reader
    reader.close()


def assert_gx_suites_pass_and_catch(
    con: duckdb.DuckDBPyConnection,
    suites: dict[str, Callable[[], object]],
    broken_sql: str,
    broken_suite: Callable[[], object],
    column: str,
    bad_value: float,
) -> None:
    """Every (frame SQL -> suite) passes on the built marts with rows to check; then the frame
    of `broken_sql` with `bad_value` written into `column` of its first row fails
    `broken_suite`, naming that column."""
    from orchestration import expectations

    for sql, suite in suites.items():
        outcome = expectations.validate(con.cursor().sql(sql).df(), suite())
        assert outcome.success, outcome.failures
        assert outcome.rows > 0
    broken = con.cursor().sql(broken_sql).df()
    broken.loc[0, column] = bad_value
    outcome = expectations.validate(broken, broken_suite())
    assert not outcome.success
    assert any(column in failure for failure in outcome.failures)
