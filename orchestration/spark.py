"""The dbt project on Spark: the raw tables as Parquet, a dbt build on the `spark` target, and the
tables Spark wrote loaded back into the DuckDB build file.

`critmin run --engine spark` (the dbt asset, `orchestration/defs/transform.py`) runs the three
steps in turn: `export_raw_parquet`, a dbt build on the spark target (after the
`register_raw_sources` operation), then `load_spark_tables`, so that the checks, the publish, the
Parquet export and the report read the marts Spark built.

The `spark` target (`dbt_project/profiles.yml`) runs Spark inside this machine's Python process
(dbt-spark's `session` method; PySpark ships Spark, Java 17 runs it). Everything it writes lives
under one folder, the *Spark folder*:

    <spark dir>/raw/<table>/                 the raw tables (`export_raw_parquet`), read as sources
    <spark dir>/warehouse/<schema>.db/<t>/   the Parquet tables dbt builds
    <spark dir>/metastore_db/                the table catalog (an embedded Derby metastore)
    <spark dir>/target/, logs/               dbt's artifacts and log

The Spark extras are optional: `make spark-install` installs them (see the README's "Spark").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import registry
from orchestration.settings import DBT_THREADS_ENV, ENGINE_TARGETS, SPARK_DIR_ENV
from warehouse import access
from warehouse.paths import BUILD_WAREHOUSE_ENV, DBT_PROJECT_DIR

SPARK_TARGET = ENGINE_TARGETS["spark"]
RAW_PARQUET_ENV = "CRITMIN_RAW_PARQUET"
RAW_SCHEMA = "raw"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

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

    @property
    def logs(self) -> Path:
        return self.root / "logs"

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


def export_raw_parquet(warehouse: Path, folder: SparkFolder, echo: Echo = print) -> dict[str, int]:
    """Write every table of the warehouse's raw schema to a folder `<folder>/raw/<table>/` of
    Parquet files (a table the registry partitions, BACI trade by year, in one subfolder per
    value: `year=<t>/`) and return the rows written per table. The warehouse is opened read-only;
    a table's folder is replaced whole."""
    partitions = {table.name: table.partitioned_by for table in registry.raw_tables()}
    folder.raw.mkdir(parents=True, exist_ok=True)
    with access.reader(warehouse, access.RUN_READ_MEMORY_LIMIT) as con:
        written = access.table_row_counts(con, RAW_SCHEMA)
        for table in written:
            target = folder.raw / table
            partial = folder.raw / f".{table}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partition = partitions.get(table)
            if partition:
                destination = partial
            else:
                partial.mkdir()
                destination = partial / "part-0.parquet"
            access.copy_to_parquet(con, RAW_SCHEMA, table, destination, partition)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(partial, target)
    echo(f"raw Parquet: {len(written)} tables, {sum(written.values()):,} rows -> {folder.raw}")
    return written


def spark_environment(folder: SparkFolder, threads: int) -> dict[str, str]:
    """The environment a dbt process needs to build on the `spark` target in `folder`."""
    folder.prepare()
    return {
        **os.environ,
        SPARK_DIR_ENV: str(folder.root.resolve()),
        RAW_PARQUET_ENV: str(folder.raw.resolve()),
        DBT_THREADS_ENV: str(threads),
        # The DuckDB target's variable; the spark target does not read it, dbt's profile needs it.
        BUILD_WAREHOUSE_ENV: str(folder.root.resolve() / "unused.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYSPARK_PYTHON": sys.executable,
    }


def run_dbt_spark(
    command: Sequence[str], folder: SparkFolder, threads: int = 2, echo: Echo = print
) -> int:
    """Register the raw tables of `folder` as the project's sources on Spark
    (`register_raw_sources`), then run one dbt command (`["build"]`, `["test", "--select", ...]`)
    on the `spark` target; dbt's lines go to `echo`. Returns the first non-zero exit code of dbt,
    else 0."""
    code = _dbt_spark(register_operation_args(folder), folder, threads, echo)
    return code or _dbt_spark(command, folder, threads, echo)


def _dbt_spark(command: Sequence[str], folder: SparkFolder, threads: int, echo: Echo) -> int:
    args = [
        str(DBT_EXECUTABLE),
        *command,
        "--target",
        SPARK_TARGET,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(folder.target.resolve()),
        "--log-path",
        str(folder.logs.resolve()),
    ]
    with subprocess.Popen(
        args,
        env=spark_environment(folder, threads),
        cwd=folder.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            echo(line.rstrip("\n"))
        return process.wait()


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
