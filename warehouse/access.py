"""Opening the warehouse: one writer at a time, readers read-only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# DuckDB keeps up to this much in its buffers per connection before spilling to a temporary
# directory (its default is 80% of the machine's memory). The dbt profile reads the same variable.
MEMORY_LIMIT_ENV = "CRITMIN_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "600MB"
# The reads a run makes in its own process after dbt's build (the checks' deciding rows, the
# Parquet export) share that process with ~450 MB of Dagster, dbt and GX code, so they get a
# smaller buffer and spill beyond it. On the real starter data, under the 600 MB default the
# check of mart_alternative_suppliers (1.9M rows) took the process from 460 to 1,000 MB and the
# export from 210 to 740 MB; under 200 MB, about 610 and 420 MB, in about the same time.
RUN_READ_MEMORY_LIMIT = "200MB"


def memory_limit() -> str:
    """The DuckDB memory limit for critmin's own connections."""
    return os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT


class WarehouseNotFoundError(FileNotFoundError):
    """The DuckDB file to read does not exist yet."""


class WarehouseBusyError(RuntimeError):
    """Another process holds the DuckDB file."""


class WarehouseUnreadableError(RuntimeError):
    """The file exists but DuckDB cannot open it: not a DuckDB file, or a damaged one."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(
            f"{path} is not a valid DuckDB file ({detail}); it may have been damaged by a crash, "
            "a full disk or a bad copy. Run `critmin run` to rebuild and republish it (the run "
            "keeps the damaged file beside it as .broken)."
        )


def open_problem(path: Path, writable: bool = False) -> str | None:
    """Why DuckDB cannot open `path` and read its catalog, or None when it can. A file another
    process holds (a lock) is not a problem of the file: that error is raised."""
    opener = writer if writable else reader
    try:
        with opener(path) as con:
            con.execute("select count(*) from duckdb_tables()").fetchone()
    except WarehouseUnreadableError as error:
        return error.detail
    except duckdb.Error as error:
        if is_unreadable_error(error):
            return str(error)
        raise
    return None


def is_unreadable_error(error: duckdb.Error) -> bool:
    """Whether a DuckDB error opening a file says the file itself is damaged (not locked)."""
    text = str(error).lower()
    return "lock" not in text and (
        "not a valid duckdb database file" in text
        or "corrupt" in text
        or "checksum" in text
        or "serialization" in text
    )


def _open(path: Path, read_only: bool, limit: str | None = None) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(path), read_only=read_only)
        # SET, not a connect-time config: another connection of this process to the same file
        # (opened without one) would make a differing config an error.
        con.execute("set memory_limit = ?", [limit or memory_limit()])
        return con
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusyError(
                f"{path} is open in another process ({error}). DuckDB allows one writer or many "
                "readers per file: close the other program, or wait for the running pipeline."
            ) from error
        if is_unreadable_error(error):
            raise WarehouseUnreadableError(path, str(error)) from error
        raise
    except (duckdb.SerializationException, duckdb.InternalException) as error:
        raise WarehouseUnreadableError(path, str(error)) from error


@contextmanager
def writer(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, closed on exit so the next writer (dbt, a check) can open it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only=False)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def reader(path: Path, limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to an existing warehouse; DuckDB's buffers capped at `limit`
    (default `memory_limit()`)."""
    if not path.exists():
        raise WarehouseNotFoundError(
            f"No warehouse at {path}. Build one with `critmin run` (or pass --warehouse PATH)."
        )
    con = _open(path, True, limit)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_query(path: Path, sql: str) -> QueryResult:
    """Run one SQL statement read-only and fetch the whole result."""
    with reader(path) as con:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return QueryResult(columns=columns, rows=cursor.fetchall())


def quote_identifier(identifier: str) -> str:
    """An SQL identifier, double-quoted (for names read from the warehouse's own catalog)."""
    return '"' + identifier.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """An SQL string literal, single-quoted."""
    return "'" + text.replace("'", "''") + "'"


def copy_to_parquet(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    destination: Path,
    partition_by: str | None = None,
    where: str | None = None,
) -> None:
    """Write `schema.table` (its rows matching the SQL predicate `where`, when given) to Parquet:
    one file `destination`, or with `partition_by` a folder `destination` of one subfolder per
    value (`year=2024/`). COPY takes its target as literal text and its table as an identifier;
    both are quoted."""
    source = f"{quote_identifier(schema)}.{quote_identifier(table)}"
    options = "format parquet"
    if partition_by:
        options += f", partition_by ({quote_identifier(partition_by)})"
    rows = f"select * from {source}" + (f" where {where}" if where else "")
    con.execute(f"copy ({rows}) to {quote_literal(str(destination))} ({options})")


def table_row_counts(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    """Rows per table in one schema, on an open connection."""
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [schema],
        ).fetchall()
    ]
    return {
        table: con.execute(
            f"select count(*) from {quote_identifier(schema)}.{quote_identifier(table)}"
        ).fetchone()[0]
        for table in tables
    }
