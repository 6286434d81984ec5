"""Build the dbt project on a scratch warehouse whose raw tables a test fills by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
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


def dbt_build(
    tmp: Path, fill_raw: Callable[[duckdb.DuckDBPyConnection], None] | None
) -> tuple[Path, dict[str, str]]:
    """Create `tmp/warehouse.duckdb` with the raw schema, let `fill_raw` insert rows, run
    `dbt build` once in this process, and return the file and the nodes that did not pass
    (name -> status and message). Fails the test when dbt itself errors."""
    warehouse = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        ensure_raw_schema(con)
        if fill_raw is not None:
            fill_raw(con)
    finally:
        con.close()
    with pytest.MonkeyPatch.context() as env:
        env.setenv(BUILD_WAREHOUSE_ENV, str(warehouse))
        result = dbtRunner().invoke(
            [
                "build",
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
    not_passed = {
        r.node.name: f"{r.status}: {r.message}"
        for r in result.result
        if str(r.status) not in ("success", "pass")
    }
    return warehouse, not_passed
