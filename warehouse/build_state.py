"""What the dbt models of a build file were last built from, and what a build has to redo.

The models whose rows of a year come from that year's trade rows only are incremental by year
(`dbt_project/macros/trade_years.sql`). Before dbt runs, `plan_build` compares the raw tables with
the state recorded by the last complete build of the same file (`meta.build_state`):

- a fingerprint of every raw table the models read other than the trade rows (each table's row
  count and the sum of its rows' hashes), with the digest of the code that builds the models
  (the dbt project's files and the versions of dbt and DuckDB, given by the caller). When it
  differs, or no complete build was recorded, the build is a full refresh;
- otherwise, the same fingerprint per trade year of `raw.baci_trade`: the years whose rows
  changed, appeared or disappeared are the ones to rebuild, written to
  `meta.trade_years_to_build` for the models and their data tests to read.

`record_build` writes the state once a build of the whole project has succeeded. A build that
fails part-way leaves the recorded state as it was: the next run rebuilds the same years (or
refreshes everything again), which deleting and inserting whole years makes safe to repeat.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb

# Written by the loader for its own bookkeeping; no model reads them (the staging views of the
# load log and the quarantine are read by no other model), and they change on every run.
NOT_READ_BY_MODELS = ("baci_trade", "load_log", "quarantine", "source_state", "trade_year_state")
TRADE_TABLE = "raw.baci_trade"
STATE_TABLE = "meta.build_state"
YEARS_TABLE = "meta.trade_years_to_build"
CONTEXT = "context"


@dataclass(frozen=True)
class BuildPlan:
    """What one build does: a full refresh (with its reason), or the trade years to rebuild."""

    context_digest: str
    year_digests: dict[int, str]
    full_refresh: bool
    reason: str
    years: tuple[int, ...]
    kept: int

    def describe(self) -> str:
        if self.full_refresh:
            return f"full refresh: {self.reason}"
        if not self.years:
            return f"no trade year changed; {self.kept} kept"
        years = ", ".join(map(str, self.years))
        return f"trade years rebuilt: {years}; {self.kept} kept"


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'raw' order by table_name"
        ).fetchall()
        if name not in NOT_READ_BY_MODELS
    ]


def context_digest(con: duckdb.DuckDBPyConnection, code_digest: str) -> str:
    """A digest of `code_digest` and the content of every raw table the models read, trade
    rows excepted."""
    digest = hashlib.sha256(code_digest.encode())
    for table in _raw_tables(con):
        rows, hashed = con.execute(
            f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from raw."{table}" as t'
        ).fetchone()
        digest.update(f"\n{table}:{rows}:{hashed}".encode())
    return digest.hexdigest()


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def trade_year_digests(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Per trade year of `raw.baci_trade`: its row count and the sum of its rows' hashes."""
    if not _exists(con, "raw", "baci_trade"):
        return {}
    return {
        int(year): f"{rows}:{hashed}"
        for year, rows, hashed in con.execute(
            f"select year, count(*), sum(hash(t)::hugeint) from {TRADE_TABLE} as t group by year"
        ).fetchall()
    }


def recorded_state(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The state the last complete build recorded (empty when there is none)."""
    if not _exists(con, "meta", "build_state"):
        return {}
    return dict(con.execute(f"select item, digest from {STATE_TABLE}").fetchall())


def plan_build(con: duckdb.DuckDBPyConnection, code_digest: str) -> BuildPlan:
    """Compare the raw tables with the recorded state and, unless the build is a full refresh,
    write the trade years to rebuild to `meta.trade_years_to_build`."""
    context = context_digest(con, code_digest)
    years_now = trade_year_digests(con)
    recorded = recorded_state(con)
    years_then = {
        int(item.split(":", 1)[1]): digest
        for item, digest in recorded.items()
        if item.startswith("year:")
    }
    if not recorded:
        full, reason = True, "no complete build of this file recorded"
    elif recorded.get(CONTEXT) != context:
        full, reason = True, "a source other than the trade years, or the project's code, changed"
    else:
        full, reason = False, ""
    if full:
        years = sorted(years_now)
        kept = 0
    else:
        years = sorted(
            year
            for year in years_now.keys() | years_then.keys()
            if years_now.get(year) != years_then.get(year)
        )
        kept = len(years_now.keys() - set(years))
    con.execute("create schema if not exists meta")
    if full:
        # A full refresh rebuilds and tests every row, those of years without trade included.
        drop_years_to_build(con)
    else:
        con.execute(f"create or replace table {YEARS_TABLE} (year integer not null)")
        if years:
            con.execute(f"insert into {YEARS_TABLE} select unnest(?::integer[])", [years])
        con.execute(
            f"comment on table {YEARS_TABLE} is 'The trade years the running build rebuilds and "
            "tests in the models incremental by year (dropped when it ends).'"
        )
    return BuildPlan(
        context_digest=context,
        year_digests=years_now,
        full_refresh=full,
        reason=reason,
        years=tuple(years),
        kept=kept,
    )


def record_build(con: duckdb.DuckDBPyConnection, plan: BuildPlan) -> None:
    """Record what the models were built from, after a build of the whole project succeeded."""
    con.execute("create schema if not exists meta")
    con.execute(
        f"create or replace table {STATE_TABLE} (item varchar not null, digest varchar not null)"
    )
    items = [(CONTEXT, plan.context_digest)] + [
        (f"year:{year}", digest) for year, digest in sorted(plan.year_digests.items())
    ]
    con.executemany(f"insert into {STATE_TABLE} values (?, ?)", items)
    con.execute(
        f"comment on table {STATE_TABLE} is 'What the models of this file were last built from "
        "as a whole: a digest of the raw tables other than trade and of the code (context), and "
        "one per trade year. critmin run rebuilds the years whose digest changed.'"
    )
    drop_years_to_build(con)


def drop_years_to_build(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the years a build was to rebuild, once it has ended: dbt run by hand on this file
    then rebuilds every year."""
    con.execute(f"drop table if exists {YEARS_TABLE}")


def forget_build(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the recorded state: the next build is a full refresh (the tables were written by
    another engine, or by a build that is not known to be complete)."""
    con.execute(f"drop table if exists {STATE_TABLE}")
    drop_years_to_build(con)
