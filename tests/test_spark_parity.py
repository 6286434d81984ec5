"""The pieces of the Spark parity check that run without Spark: the raw tables written as Parquet
for the Spark target, and the row-for-row comparison of a DuckDB mart with a Parquet table.

The Spark build itself runs in `make spark-parity` (CI), which needs Java and the Spark extras.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from orchestration.spark import SparkFolder, export_raw_parquet

ROOT = Path(__file__).resolve().parents[1]


def _parity_module():
    spec = importlib.util.spec_from_file_location(
        "spark_parity", ROOT / "scripts" / "spark_parity.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


parity = _parity_module()


def _warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.baci_trade as select * from (values"
            " (2022, 156, 699, '280530', 10.5, 'BACI_HS17_Y2022_V202501.csv', 2),"
            " (2022, 842, 699, '280530', 2.25, 'BACI_HS17_Y2022_V202501.csv', 3),"
            " (2023, 156, 699, '280530', 7.0, 'BACI_HS17_Y2023_V202501.csv', 2))"
            " v(year, exporter_code, importer_code, hs6, value_usd, source_file, source_line)"
        )
        con.execute(
            "create table raw.policy_events as select * from (values"
            " ('E1', ['dysprosium', 'terbium']), ('E2', []::varchar[]), ('E3', null))"
            " v(event_id, elements)"
        )


def test_raw_tables_are_written_as_parquet_folders_with_baci_by_year(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _warehouse(warehouse)
    folder = SparkFolder(tmp_path / "spark")

    written = export_raw_parquet(warehouse, folder, echo=lambda line: None)

    assert written == {"baci_trade": 3, "policy_events": 3}
    years = sorted(path.name for path in (folder.raw / "baci_trade").iterdir())
    assert years == ["year=2022", "year=2023"]
    assert [path.name for path in (folder.raw / "policy_events").iterdir()] == ["part-0.parquet"]
    with duckdb.connect() as con:
        trade = con.execute(
            f"select year, exporter_code, value_usd, source_line from read_parquet("
            f"'{folder.raw}/baci_trade/*/*.parquet', hive_partitioning = true) order by all"
        ).fetchall()
        events = con.execute(
            f"select event_id, elements from read_parquet('{folder.raw}/policy_events/*.parquet')"
            " order by event_id"
        ).fetchall()
    assert trade == [(2022, 156, 10.5, 2), (2022, 842, 2.25, 3), (2023, 156, 7.0, 2)]
    assert events == [("E1", ["dysprosium", "terbium"]), ("E2", []), ("E3", None)]

    # A second export replaces the folders whole: a year no longer in raw leaves no folder.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw.baci_trade where year = 2023")
    export_raw_parquet(warehouse, folder, echo=lambda line: None)
    assert sorted(path.name for path in (folder.raw / "baci_trade").iterdir()) == ["year=2022"]


def _mart_and_spark_copy(tmp_path: Path, spark_rows: str) -> tuple[Path, SparkFolder]:
    """A warehouse with marts.m, and a Spark folder whose marts.db/m holds `spark_rows`."""
    serving = tmp_path / "serving.duckdb"
    folder = SparkFolder(tmp_path / "spark")
    location = folder.table("marts", "m")
    location.mkdir(parents=True)
    with duckdb.connect(str(serving)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.m as select * from (values"
            " ('IND', 2022, 0.25, ['CHN', 'USA']), ('IND', 2023, 1.0 / 3, ['CHN']),"
            " ('USA', 2023, null, []::varchar[]))"
            " v(importer_iso3, year, share, suppliers)"
        )
        # Spark writes the same columns, possibly in another order and in several part files.
        con.execute(
            f"copy (select * from (values {spark_rows})"
            " v(year, importer_iso3, suppliers, share))"
            f" to '{location}/part-00000.parquet' (format parquet)"
        )
    return serving, folder


SAME_ROWS_SHUFFLED = (
    "(2023, 'USA', []::varchar[], null),"
    " (2023, 'IND', ['CHN'], 0.33333333333333337),"  # 1e-16 off: within 1e-9 relative
    " (2022, 'IND', ['CHN', 'USA'], 0.25)"
)


def test_marts_holding_the_same_rows_in_another_order_are_identical(tmp_path):
    serving, folder = _mart_and_spark_copy(tmp_path, SAME_ROWS_SHUFFLED)
    with duckdb.connect(str(serving), read_only=True) as con:
        assert parity.compare_table(con, folder, "m") is None


@pytest.mark.parametrize(
    ("spark_rows", "expected"),
    [
        (
            "(2023, 'USA', []::varchar[], null), (2023, 'IND', ['CHN'], 0.3333334::double),"
            " (2022, 'IND', ['CHN', 'USA'], 0.25)",
            "differs in share: DuckDB 0.3333333333333333, Spark 0.3333334",
        ),
        (
            "(2023, 'USA', []::varchar[], 0.0), (2023, 'IND', ['CHN'], 1.0 / 3),"
            " (2022, 'IND', ['CHN', 'USA'], 0.25)",
            "differs in share: DuckDB None, Spark 0.0",
        ),
        (
            "(2023, 'USA', []::varchar[], null), (2023, 'IND', ['CHN'], 1.0 / 3),"
            " (2022, 'IND', ['USA', 'CHN'], 0.25)",
            "differs in suppliers: DuckDB ['CHN', 'USA'], Spark ['USA', 'CHN']",
        ),
        (
            "(2023, 'IND', ['CHN'], 1.0 / 3), (2022, 'IND', ['CHN', 'USA'], 0.25)",
            "3 rows on DuckDB, 2 on Spark",
        ),
    ],
)
def test_a_mart_that_differs_on_spark_is_reported_with_the_column_and_values(
    tmp_path, spark_rows, expected
):
    serving, folder = _mart_and_spark_copy(tmp_path, spark_rows)
    with duckdb.connect(str(serving), read_only=True) as con:
        problem = parity.compare_table(con, folder, "m")
    assert problem is not None and expected in problem


def test_a_mart_missing_on_spark_is_reported(tmp_path):
    serving, folder = _mart_and_spark_copy(tmp_path, SAME_ROWS_SHUFFLED)
    with duckdb.connect(str(serving), read_only=True) as con:
        assert "no Spark table" in parity.compare_table(con, folder, "other")
