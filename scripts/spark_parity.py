"""Build the same landing data on DuckDB and on Spark and compare every mart row for row.

For each dataset (the synthetic demo; the real starter data; the real UN Comtrade extracts of
../shared/realdata/comtrade/, which may not be committed, with the policy register and no BACI
file, skipped with a message when absent):
1. `critmin run` builds, checks and publishes a DuckDB warehouse (the default engine);
2. `critmin run --engine spark` builds the same landing directory with dbt on Spark (in-process
   Spark, Parquet tables), every dbt test included, then checks and publishes the marts Spark
   built (copied into a DuckDB file of their own);
3. every table of the `marts` schema of the two published warehouses is compared: the same
   columns with the same types, the same number of rows, and row for row the same values
   (floating values within 1e-9 relative), after sorting both sides the same way.

Prints one line per mart and a summary; exits 1 when a mart differs, a run fails (a dbt node on
Spark, a check) or a step fails. `make spark-parity` runs it on every dataset.

    python scripts/spark_parity.py [--dataset demo|starter ...] [--dir DIR] [--threads N]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration.settings import DBT_THREADS_ENV  # noqa: E402
from orchestration.spark import spark_available  # noqa: E402
from warehouse import access  # noqa: E402
from warehouse.publish import MARTS_SCHEMA  # noqa: E402

REL_TOL = 1e-9
ABS_TOL = 1e-12
CRITMIN = Path(sys.executable).with_name("critmin")
DATASETS = ("demo", "starter", "comtrade")
# Real UN Comtrade records (their licence keeps them out of the repository): beside the clone.
COMTRADE_EXTRACTS = ROOT.parent / "shared" / "realdata" / "comtrade"
ENGINES = ("duckdb", "spark")
# The name the Spark run's warehouse is attached under, beside the DuckDB run's.
SPARK = "spark_run"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset",
        action="append",
        choices=DATASETS,
        help="dataset to build on both engines (repeatable; default: all three)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=ROOT / ".critmin" / "spark-parity",
        help="working folder (default: .critmin/spark-parity)",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="dbt threads")
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="compare the marts of an earlier run in --dir without building anything",
    )
    args = parser.parse_args(argv)

    missing = spark_available()
    if missing:
        print(f"spark-parity: {missing}", file=sys.stderr)
        return 2
    failures = 0
    for dataset in args.dataset or DATASETS:
        work = args.dir / dataset
        if args.compare_only:
            failures += compare_marts(served(work, "duckdb"), served(work, "spark"), dataset)
        else:
            failures += parity(dataset, work, args.threads)
    print(f"spark-parity: {'FAILED' if failures else 'every mart identical on both engines'}")
    return 1 if failures else 0


def served(work: Path, engine: str) -> Path:
    """The serving warehouse the run on `engine` publishes under `work`."""
    return work / engine / "critmin.duckdb"


def parity(dataset: str, work: Path, threads: int) -> int:
    """Build `dataset` on both engines under `work` and compare the marts; the number of
    failures."""
    started = time.monotonic()
    landing = landing_dir(dataset, work)
    if landing is None:
        print(f"[{dataset}] skipped: no real Comtrade extracts in {COMTRADE_EXTRACTS}")
        return 0
    failures = 0
    seconds = {}
    for engine in ENGINES:
        step(f"[{dataset}] critmin run --engine {engine} --data-dir {landing}")
        engine_started = time.monotonic()
        completed = subprocess.run(
            [
                str(CRITMIN),
                "run",
                "--engine",
                engine,
                "--data-dir",
                str(landing),
                "--warehouse",
                str(served(work, engine)),
            ],
            check=False,
            cwd=ROOT,
            env={**os.environ, DBT_THREADS_ENV: str(threads)},
        )
        seconds[engine] = time.monotonic() - engine_started
        if completed.returncode != 0:
            print(f"[{dataset}] critmin run --engine {engine} failed (exit {completed.returncode})")
            failures += 1
    step(f"[{dataset}] comparing the marts")
    if failures == 0:
        failures += compare_marts(served(work, "duckdb"), served(work, "spark"), dataset)
    print(
        f"[{dataset}] done in {time.monotonic() - started:.0f} s (run on DuckDB "
        f"{seconds['duckdb']:.0f} s, on Spark {seconds['spark']:.0f} s); {failures} failure(s)"
    )
    return failures


def landing_dir(dataset: str, work: Path) -> Path | None:
    """The landing directory of `dataset`, written when missing (None: its files are absent)."""
    if dataset == "starter":
        from critmin.starter import ensure_starter

        return ensure_starter()
    landing = work / "landing"
    if dataset == "comtrade":
        extracts = sorted(COMTRADE_EXTRACTS.glob("*.csv"))
        if not extracts:
            return None
        from ingest.policy_events.reader import default_register_path

        shutil.rmtree(landing, ignore_errors=True)
        (landing / "comtrade").mkdir(parents=True)
        (landing / "policy_events").mkdir()
        for path in extracts:
            shutil.copy(path, landing / "comtrade" / path.name)
        shutil.copy(default_register_path(), landing / "policy_events" / "policy_events.yaml")
        return landing
    subprocess.run(
        [str(CRITMIN), "demo-data", "--out", str(landing), "--if-missing"], check=True, cwd=ROOT
    )
    return landing


def compare_marts(duckdb_run: Path, spark_run: Path, dataset: str) -> int:
    """Compare every mart of the warehouse published by the DuckDB run with the mart of the same
    name published by the Spark run."""
    failures = 0
    with access.reader(duckdb_run) as con:
        con.execute(f"attach {access.quote_literal(str(spark_run))} as {SPARK} (read_only)")
        marts = access.table_row_counts(con, MARTS_SCHEMA)
        for mart, rows in marts.items():
            problem = compare_table(con, mart, rows)
            print(f"[{dataset}] {mart}: {problem or f'identical, {rows:,} rows'}")
            failures += problem is not None
        extra = set(access.table_row_counts(con, f"{SPARK}.{MARTS_SCHEMA}")) - set(marts)
        for mart in sorted(extra):
            print(f"[{dataset}] {mart}: only on Spark")
        failures += len(extra)
    print(f"[{dataset}] {len(marts) - failures} of {len(marts)} marts identical")
    return failures


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]


def compare_table(con: duckdb.DuckDBPyConnection, mart: str, rows: int | None = None) -> str | None:
    """None when `marts.<mart>` (of `rows` rows, counted when not given) and the same mart of the
    attached Spark run hold the same columns, types and rows; else what differs."""
    duck_table = f"{MARTS_SCHEMA}.{access.quote_identifier(mart)}"
    spark_table = f"{SPARK}.{duck_table}"
    present = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [SPARK, MARTS_SCHEMA, mart],
    ).fetchone()[0]
    if not present:
        return f"no table {mart} in the Spark run's warehouse"
    columns = _columns(con, duck_table)
    spark_columns = _columns(con, spark_table)
    if sorted(columns) != sorted(spark_columns):
        return f"columns differ: DuckDB {columns}, Spark {spark_columns}"
    selected = ", ".join(access.quote_identifier(name) for name, _ in columns)
    duck_sql = f"select {selected} from {duck_table}"
    spark_sql = f"select {selected} from {spark_table}"
    if rows is None:
        rows = con.execute(f"select count(*) from ({duck_sql})").fetchone()[0]
    duck_count = rows
    spark_count = con.execute(f"select count(*) from ({spark_sql})").fetchone()[0]
    if duck_count != spark_count:
        return f"{duck_count:,} rows on DuckDB, {spark_count:,} on Spark"
    # Rows equal to the bit on both engines pair off in SQL; only the rest (floating values that
    # differ in their last bits, or real differences) are compared value by value.
    duck = con.execute(f"({duck_sql}) except all ({spark_sql})").fetchall()
    spark = con.execute(f"({spark_sql}) except all ({duck_sql})").fetchall()
    if len(duck) != len(spark):
        return f"{duck_count:,} rows; {len(duck):,} unmatched on DuckDB, {len(spark):,} on Spark"
    duck.sort(key=sort_key)
    spark.sort(key=sort_key)
    first = None
    differing = 0
    for index, (left, right) in enumerate(zip(duck, spark, strict=True)):
        for (column, _), a, b in zip(columns, left, right, strict=True):
            if not same_value(a, b):
                differing += 1
                first = first or f"row {index + 1} differs in {column}: DuckDB {a!r}, Spark {b!r}"
                break
    if differing:
        return f"{duck_count:,} rows, {differing:,} differ; {first}"
    return None


def same_value(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, datetime) or isinstance(b, datetime):
        return _as_date(a) == _as_date(b)
    return a == b


def sort_key(row: tuple) -> tuple:
    """A total order on rows that puts equal rows of both engines side by side: nulls first,
    numbers rounded to 8 significant digits (so that last-digit differences sort alike)."""
    return tuple(_key(value) for value in row)


def _key(value: object) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if _is_number(value):
        number = float(value)
        return (2, float(f"{number:.8g}") if math.isfinite(number) else number)
    if isinstance(value, (date, datetime)):
        return (3, _as_date(value).isoformat())
    if isinstance(value, (list, tuple)):
        return (4, tuple(_key(item) for item in value))
    return (5, str(value))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _as_date(value: object) -> object:
    return (
        value.date()
        if isinstance(value, datetime) and value.time() == datetime.min.time()
        else value
    )


def step(text: str) -> None:
    print(f"== {text}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
