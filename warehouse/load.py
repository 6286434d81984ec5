"""Loading reader output into the warehouse's `raw` schema.

Each source is loaded in one transaction: its raw tables are replaced by the rows read from the
landing directory, its quarantine rows by the rows rejected, and one load-log line per file is
appended. Loading the same files twice therefore gives the same tables, and a load that fails
part-way leaves the previous tables as they were.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest import registry
from ingest._result import SourceRead
from ingest.baci import TRADE_FILE_YEAR_SQL
from warehouse.access import table_row_counts
from warehouse.raw_schema import raw_ddl


def raw_tables() -> frozenset[str]:
    """Raw tables a source may replace: those of the sources' specs (`ingest.registry`). Table
    names cannot be bound as parameters, so every name that reaches SQL text is checked
    against this list first."""
    return registry.raw_table_names()


class LoadInvariantError(RuntimeError):
    """Rows read from a file do not add up to rows loaded + rejected + out of scope."""


@dataclass(frozen=True)
class FileLoad:
    """What happened to one landing file: every row read is loaded, rejected or out of scope."""

    source_file: str
    checksum_sha256: str
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    rows_out_of_scope: int = 0

    def check(self) -> None:
        accounted = self.rows_loaded + self.rows_rejected + self.rows_out_of_scope
        if self.rows_in != accounted:
            raise LoadInvariantError(
                f"{self.source_file}: {self.rows_in} rows read but {self.rows_loaded} loaded + "
                f"{self.rows_rejected} rejected + {self.rows_out_of_scope} out of scope "
                f"= {accounted}"
            )


@dataclass(frozen=True)
class SourceLoad:
    """Summary of one source's load, returned to the orchestration layer."""

    source: str
    run_id: str
    table_rows: dict[str, int]
    files: tuple[FileLoad, ...]

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.files)


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` schema and every raw table that does not exist yet."""
    con.execute(raw_ddl())


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def _replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    known = raw_tables()
    if table not in known:
        raise ValueError(f"unknown raw table {table!r}; expected one of {sorted(known)}")
    columns = _table_columns(con, table)
    missing = [c for c in columns if c not in frame.columns]
    if missing and frame.height:
        raise ValueError(f"rows for raw.{table} lack columns {missing}")
    con.execute(f"delete from raw.{table}")
    if frame.height:
        incoming = frame.select(columns).to_arrow()  # noqa: F841 - read by DuckDB's replacement scan
        column_list = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"insert into raw.{table} ({column_list}) select {column_list} from incoming")
    return frame.height


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, source: str, rejects: pl.DataFrame, loaded_at: datetime
) -> None:
    if rejects.height:
        quarantined = rejects.select(  # noqa: F841 - read by DuckDB's replacement scan
            pl.lit(source).alias("source"),
            "source_file",
            "source_line",
            "reason",
            "raw_record",
            pl.lit(loaded_at).alias("loaded_at"),
        ).to_arrow()
        con.execute("insert into raw.quarantine select * from quarantined")


def _log_files(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    files: Sequence[FileLoad],
    loaded_at: datetime,
) -> None:
    for f in files:
        con.execute(
            "insert into raw.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                source,
                f.source_file,
                f.checksum_sha256,
                f.rows_in,
                f.rows_loaded,
                f.rows_rejected,
                f.rows_out_of_scope,
                loaded_at,
            ],
        )


def load_source(
    con: duckdb.DuckDBPyConnection,
    source: str,
    tables: Mapping[str, pl.DataFrame],
    rejects: pl.DataFrame,
    files: Sequence[FileLoad],
    run_id: str | None = None,
    digest: str | None = None,
) -> SourceLoad:
    """Replace `source`'s raw tables and quarantine rows, and log its files, in one transaction.

    `digest` records what the rows were read from (`loaded_source_digest` gives it back); a
    source loaded without one has none, so the next run reads it again."""
    for file_load in files:
        file_load.check()
    run_id = run_id or uuid.uuid4().hex
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ensure_raw_schema(con)
    con.execute("begin transaction")
    try:
        table_rows = {name: _replace_table(con, name, frame) for name, frame in tables.items()}
        con.execute("delete from raw.quarantine where source = ?", [source])
        _insert_quarantine(con, source, rejects, loaded_at)
        _log_files(con, run_id, source, files, loaded_at)
        con.execute("delete from raw.source_state where source = ?", [source])
        if digest is not None:
            con.execute(
                "insert into raw.source_state values (?, ?, ?, ?)",
                [source, digest, run_id, loaded_at],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return SourceLoad(source=source, run_id=run_id, table_rows=table_rows, files=tuple(files))


def _file_loads(read: SourceRead) -> list[FileLoad]:
    return [
        FileLoad(
            source_file=f.source_file,
            checksum_sha256=f.checksum_sha256 or file_checksum(f.path),
            rows_in=f.rows_in,
            rows_loaded=f.rows_loaded,
            rows_rejected=f.rows_rejected,
            rows_out_of_scope=f.rows_out_of_scope,
        )
        for f in read.files
    ]


def load_source_read(
    con: duckdb.DuckDBPyConnection,
    read: SourceRead,
    run_id: str | None = None,
    source: str | None = None,
    digest: str | None = None,
) -> SourceLoad:
    """Load everything a reader produced for one source: tables, quarantine, load log, and the
    `digest` of what it was read from (see `load_source`).

    `source` names the source kind (`baci_codes`, `usgs_mcs`, ...) and keys its quarantine rows
    and load-log lines; it defaults to `read.source`. Each row's own `source` column says where
    its data came from (`demo`, `baci`, ...), so two sources with the same label (the demo's)
    keep their own quarantine rows.
    """
    return load_source(
        con,
        source or read.source,
        read.tables,
        read.rejects,
        _file_loads(read),
        run_id=run_id,
        digest=digest,
    )


def loaded_source_digest(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """The digest `source` was last loaded with (`load_source`'s `digest`), if any."""
    ensure_raw_schema(con)
    row = con.execute(
        "select landed_digest from raw.source_state where source = ?", [source]
    ).fetchone()
    return row[0] if row else None


def raw_table_rows(con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> dict[str, int]:
    """The row count of each of `tables` in the raw schema (0 for one that does not exist)."""
    counts = table_row_counts(con, "raw")
    return {table: counts.get(table, 0) for table in tables}


def loaded_trade_year_digests(
    con: duckdb.DuckDBPyConnection, source: str = "baci"
) -> dict[int, str]:
    """The digest each year of raw.baci_trade was loaded with (`load_trade_years`' `digests`)."""
    ensure_raw_schema(con)
    return dict(
        con.execute(
            "select year, landed_digest from raw.trade_year_state where source = ?", [source]
        ).fetchall()
    )


def load_trade_years(
    con: duckdb.DuckDBPyConnection,
    read: SourceRead,
    years: Collection[int],
    run_id: str | None = None,
    source: str = "baci",
    digests: Mapping[int, str] | None = None,
) -> SourceLoad:
    """Replace only `years` of raw.baci_trade, with those years' quarantine rows, in one
    transaction; every other year stays as it was. Loading a year twice gives the same rows.

    `digests` records, for each year loaded, a digest of what it was read from
    (`loaded_trade_year_digests` gives them back); a year loaded without one has none, so the
    next run reads it again."""
    years = sorted({int(y) for y in years})
    trade = read.tables["baci_trade"]
    stray = sorted(set(trade["year"].unique().to_list()) - set(years)) if trade.height else []
    if stray:
        raise ValueError(f"rows for years {stray} in a load of years {years}")
    files = _file_loads(read)
    for file_load in files:
        file_load.check()
    run_id = run_id or uuid.uuid4().hex
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ensure_raw_schema(con)
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.baci_trade where list_contains(?, year)", [years])
        if trade.height:
            incoming = trade.select(_table_columns(con, "baci_trade")).to_arrow()  # noqa: F841
            con.execute("insert into raw.baci_trade by name select * from incoming")
        con.execute(
            "delete from raw.quarantine where source = ? "
            f"and list_contains(?, {TRADE_FILE_YEAR_SQL})",
            [source, years],
        )
        _insert_quarantine(con, source, read.rejects, loaded_at)
        _log_files(con, run_id, source, files, loaded_at)
        con.execute(
            "delete from raw.trade_year_state where source = ? and list_contains(?, year)",
            [source, years],
        )
        states = [
            [source, year, digests[year], run_id, loaded_at]
            for year in years
            if digests is not None and year in digests
        ]
        if states:
            con.executemany("insert into raw.trade_year_state values (?, ?, ?, ?, ?)", states)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return SourceLoad(
        source=source, run_id=run_id, table_rows={"baci_trade": trade.height}, files=tuple(files)
    )


def prune_trade_years(
    con: duckdb.DuckDBPyConnection, keep: Collection[int], source: str = "baci"
) -> list[int]:
    """Remove the raw.baci_trade years (and their quarantine rows) whose files are no longer in
    the landing directory; return the years removed."""
    keep = sorted({int(y) for y in keep})
    ensure_raw_schema(con)
    removed = [
        year
        for (year,) in con.execute(
            "select distinct year from raw.baci_trade where not list_contains(?, year) "
            "order by year",
            [keep],
        ).fetchall()
    ]
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.baci_trade where not list_contains(?, year)", [keep])
        con.execute(
            "delete from raw.quarantine where source = ? "
            f"and not list_contains(?, {TRADE_FILE_YEAR_SQL})",
            [source, keep],
        )
        con.execute(
            "delete from raw.trade_year_state where source = ? and not list_contains(?, year)",
            [source, keep],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return removed
