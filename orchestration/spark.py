"""The dbt project on Spark: the raw tables as Parquet, a dbt build on the `spark` target, and the
tables Spark wrote loaded back into the DuckDB build file.

On `critmin run --engine spark` each ingest asset writes the Parquet files of its raw tables from
the frames its reader produced (`write_raw_table`, `write_raw_years`; no DuckDB connection), as
well as loading them into the DuckDB build file. The dbt asset (`orchestration/defs/transform.py`)
then writes the loader's own tables (quarantine, load log) with `export_raw_parquet`, runs the
dbt build on the spark target (after the `register_raw_sources` operation), and copies the tables
Spark built into the build file (`load_spark_tables`), so that the checks, the publish, the
Parquet export and the report read the marts Spark built.

The `spark` target (`dbt_project/profiles.yml`) runs Spark inside this machine's Python process
(dbt-spark's `session` method; PySpark ships Spark, Java 17 runs it). Everything it writes lives
under one folder, the *Spark folder*:

    <spark dir>/raw/<table>/                 the raw tables, read as sources: written by ingest
                                             (`write_raw_table`, BACI trade by year), the
                                             loader's own tables by `export_raw_parquet`
    <spark dir>/warehouse/<schema>.db/<t>/   the Parquet tables dbt builds
    <spark dir>/metastore_db/                the table catalog (an embedded Derby metastore)
    <spark dir>/target/                      dbt's artifacts and log

The Spark extras are optional: `make spark-install` installs them (see the README's "Spark").
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ingest import registry
from ingest.source import RawTable
from orchestration.settings import ENGINE_TARGETS
from warehouse import access

SPARK_TARGET = ENGINE_TARGETS["spark"]
RAW_SCHEMA = "raw"

# Spark's own log: warnings and errors only, to the dbt log's folder rather than the terminal.
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""

Echo = Callable[[str], None]


@dataclass(frozen=True)
class SparkFolder:
    """The paths of one Spark folder (see the module docstring)."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def target(self) -> Path:
        return self.root / "target"

    def table(self, schema: str, name: str) -> Path:
        """The folder of the Parquet files of a table dbt built on Spark."""
        return self.warehouse / f"{schema}.db" / name

    def prepare(self) -> Path:
        """Create the folder and Spark's log configuration in it (errors only, to stderr);
        returns the folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "log4j2.properties").write_text(_LOG4J, encoding="utf-8")
        return self.root


def spark_available() -> str | None:
    """None when the Spark extras and Java are installed, else what is missing and how to get it."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as error:
        return f"the Spark extras are not installed ({error.name}): run `make spark-install`"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and (Path(java_home) / "bin" / "java").exists()) and not shutil.which("java"):
        return "Java is not installed: run `make spark-install` (Debian's openjdk-17-jre-headless)"
    return None


def _conformed(table: RawTable, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with the raw table's columns, in its order and of its types (what the DuckDB
    raw table holds)."""
    return frame.select(
        [
            pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
            for name, dtype in table.schema.items()
        ]
    )


def _replace_folder(target: Path, write: Callable[[Path], None]) -> None:
    """Write a folder with `write(partial)` beside `target`, then put it in `target`'s place: a
    reader (or a killed run) sees the old folder or the new one, never half of one."""
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    write(partial)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)


def write_raw_table(raw_dir: Path, table: RawTable, frame: pl.DataFrame) -> int:
    """Write all the rows of raw table `table` to `raw_dir/<table>/part-0.parquet`, replacing the
    folder whole; returns the rows written (an empty frame writes a file with the columns only)."""
    rows = _conformed(table, frame)
    _replace_folder(
        raw_dir / table.name, lambda partial: rows.write_parquet(partial / "part-0.parquet")
    )
    return rows.height


def write_raw_years(
    raw_dir: Path,
    table: RawTable,
    frame: pl.DataFrame,
    values: Sequence[int],
    digests: Mapping[int, str] | None = None,
) -> int:
    """Replace the partitions `values` of the partitioned raw table `table` (BACI trade by year)
    with the rows of `frame`: one folder `raw_dir/<table>/<column>=<value>/` each, its rows
    without the partition column (Spark reads it from the folder's name); a value without rows
    gets a file of no rows. `digests` gives, per value, the digest of what its rows were read
    from, kept in the folder (`raw_year_digest`; Spark skips files named with a leading dot).
    Other partitions stay. Returns the rows written."""
    column = _partition_column(table)
    rows = _conformed(table, frame)
    for value in values:
        part = rows.filter(pl.col(column) == value).drop(column)
        _replace_folder(
            raw_dir / table.name / f"{column}={value}",
            lambda partial, part=part, value=value: _write_year(
                partial, part, (digests or {}).get(value)
            ),
        )
    _settle_partitions(raw_dir, table)
    return rows.height


_DIGEST_FILE = ".landed_digest"


def _write_year(folder: Path, rows: pl.DataFrame, digest: str | None) -> None:
    rows.write_parquet(folder / "part-0.parquet")
    if digest is not None:
        (folder / _DIGEST_FILE).write_text(digest, encoding="utf-8")


def raw_year_digest(raw_dir: Path, table: RawTable, value: int) -> str | None:
    """The digest the partition `value` of `table` was written with, or None when it was not
    written (or written without one)."""
    kept = raw_dir / table.name / f"{_partition_column(table)}={value}" / _DIGEST_FILE
    return kept.read_text(encoding="utf-8") if kept.is_file() else None


def remove_raw_years(raw_dir: Path, table: RawTable, keep: Collection[int]) -> list[int]:
    """Remove the partitions of `table` whose value is not in `keep`; returns those removed.
    A table with no partition left is one empty file (see `_settle_partitions`)."""
    prefix = f"{_partition_column(table)}="
    removed = []
    for path in _partitions(raw_dir, table):
        value = int(path.name[len(prefix) :])
        if value not in keep:
            shutil.rmtree(path)
            removed.append(value)
    _settle_partitions(raw_dir, table)
    return removed


def _partition_column(table: RawTable) -> str:
    if table.partitioned_by is None:
        raise ValueError(f"raw.{table.name} is not partitioned")
    return table.partitioned_by


def _partitions(raw_dir: Path, table: RawTable) -> list[Path]:
    folder = raw_dir / table.name
    prefix = f"{_partition_column(table)}="
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith(prefix))


def _settle_partitions(raw_dir: Path, table: RawTable) -> None:
    """A partitioned table is its partition folders; with none (no year landed) it is one empty
    file of all its columns, from which Spark reads the columns of an empty table."""
    empty = raw_dir / table.name / "part-0.parquet"
    if _partitions(raw_dir, table):
        empty.unlink(missing_ok=True)
    else:
        empty.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(schema=dict(table.schema)).write_parquet(empty)


def export_raw_parquet(
    warehouse: Path,
    folder: SparkFolder,
    echo: Echo = print,
    skip: Collection[str] = (),
) -> dict[str, int]:
    """Write every table of the warehouse's raw schema but those in `skip` (what ingest wrote
    itself) to a folder `<folder>/raw/<table>/` of Parquet files (a table the registry
    partitions, BACI trade by year, in one subfolder per value: `year=<t>/`) and return the rows
    written per table. The warehouse is opened read-only; a table's folder is replaced whole."""
    partitions = {table.name: table.partitioned_by for table in registry.raw_tables()}
    folder.raw.mkdir(parents=True, exist_ok=True)
    with access.reader(warehouse, access.RUN_READ_MEMORY_LIMIT) as con:
        counts = access.table_row_counts(con, RAW_SCHEMA)
        written = {table: rows for table, rows in counts.items() if table not in skip}
        for table in written:
            partition = partitions.get(table)
            _replace_folder(
                folder.raw / table,
                lambda partial, table=table, partition=partition: access.copy_to_parquet(
                    con,
                    RAW_SCHEMA,
                    table,
                    partial if partition else partial / "part-0.parquet",
                    partition,
                ),
            )
    echo(f"raw Parquet: {len(written)} tables, {sum(written.values()):,} rows -> {folder.raw}")
    return written


def register_operation_args(folder: SparkFolder) -> list[str]:
    """The dbt arguments of the operation that registers the raw Parquet folders of `folder` as
    the project's sources on Spark (`macros/spark_sources.sql`)."""
    return [
        "run-operation",
        "register_raw_sources",
        "--args",
        json.dumps({"raw_dir": str(folder.raw.resolve())}),
    ]


def spark_table_sql(folder: SparkFolder, schema: str, name: str) -> str:
    """A DuckDB expression that reads a table dbt built on Spark from its Parquet files."""
    location = folder.table(schema, name)
    return f"read_parquet({access.quote_literal(str(location / '*.parquet'))})"


@dataclass(frozen=True)
class BuiltTable:
    """A table a dbt build on Spark writes as Parquet (a seed, or a model materialized as a
    table), with the descriptions dbt's `persist_docs` gives it on DuckDB."""

    schema: str
    name: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


# The materializations dbt-spark writes as Parquet tables; views stay in Spark's catalog.
_TABLE_MATERIALIZATIONS = ("table", "incremental", "seed")


def built_tables(manifest: Mapping[str, Any]) -> Iterator[BuiltTable]:
    """The tables of a dbt manifest that a build writes as Parquet, in the manifest's order."""
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        if node["config"].get("materialized") not in _TABLE_MATERIALIZATIONS:
            continue
        yield BuiltTable(
            schema=node["schema"],
            name=node.get("alias") or node["name"],
            description=node.get("description") or "",
            columns={
                name: column.get("description") or ""
                for name, column in node.get("columns", {}).items()
            },
        )


def load_spark_tables(
    warehouse: Path, folder: SparkFolder, tables: Sequence[BuiltTable]
) -> dict[str, int]:
    """Copy every table of `tables` from the Parquet files Spark wrote in `folder` into the DuckDB
    file `warehouse` (same schema and name, each table replaced), with its descriptions as
    comments, in one transaction; returns the rows copied per `schema.name`. A table with no
    Parquet files is an error that names it: the build did not write it."""
    missing = [t for t in tables if not any(folder.table(t.schema, t.name).glob("*.parquet"))]
    if missing:
        names = ", ".join(f"{t.schema}.{t.name}" for t in missing)
        raise RuntimeError(
            f"the dbt build on Spark wrote no Parquet files for {names} under {folder.warehouse}"
        )
    copied = {}
    with access.writer(warehouse) as con:
        con.execute("begin")
        for table in tables:
            schema = access.quote_identifier(table.schema)
            relation = f"{schema}.{access.quote_identifier(table.name)}"
            con.execute(f"create schema if not exists {schema}")
            con.execute(
                f"create or replace table {relation} as "
                f"select * from {spark_table_sql(folder, table.schema, table.name)}"
            )
            if table.description:
                con.execute(
                    f"comment on table {relation} is {access.quote_literal(table.description)}"
                )
            present = {row[0] for row in con.execute(f"describe {relation}").fetchall()}
            for column, description in table.columns.items():
                if description and column in present:
                    con.execute(
                        f"comment on column {relation}.{access.quote_identifier(column)} is "
                        f"{access.quote_literal(description)}"
                    )
            copied[f"{table.schema}.{table.name}"] = con.execute(
                f"select count(*) from {relation}"
            ).fetchone()[0]
        con.execute("commit")
    return copied
