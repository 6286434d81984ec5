"""Great Expectations suites on the marts, validated on pandas frames.

Each rule is one that dbt's tests and contracts cannot state on a row of one model: sums across
rows (an importer's supplier shares sum to 1), agreement between marts (the import totals are the
trade fact's; supply risk's HHI is production concentration's) and the shape of groups (ranks
1..n without gaps). Row rules (ranges, accepted values, keys, relations between the columns of a
row) are dbt's (`row_rules`, `unique_combination_of_columns`, contracts); a rule is written once.

Great Expectations 1.x cannot validate DuckDB through its SQL data source, so the frame-building
SQL derives the cross-row and cross-mart figures in DuckDB (read-only), and GX validates them
through its pandas data source: every rule is an ordinary GX expectation with a result. The checks
of a run read only the rows that decide each rule (`deciding_rows_sql`: the minimum and maximum of
a range, one row per distinct value of a set, nulls, repeated keys), so GX gives the verdict it
would give on the whole frame at a cost that does not grow with the mart's size.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

import pandas as pd

from warehouse.access import quote_identifier

if TYPE_CHECKING:
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite


def _gx() -> ModuleType:
    """Great Expectations, imported when a suite is first built: the import takes seconds, and a
    run that stops before its checks (or a command that never runs them) need not pay it. While
    `warm_up`'s thread imports it, other threads wait for that thread rather than import beside
    it."""
    _wait_for_warm_up()
    import great_expectations

    return great_expectations


# Floating-point slack for sums of shares and HHI bounds.
TOLERANCE = 1e-9

IMPORT_DEPENDENCY_FRAME_SQL = """
with shares as (
    select
        year, importer_iso3, mineral, stage, trade_source, frequency, month,
        sum(share) as supplier_share_sum
    from marts.mart_supplier_shares
    group by all
),
flows as (
    select year, importer_iso3, mineral, stage, sum(value_usd) as trade_value_usd
    from marts.fct_trade_flows
    group by all
)
select
    d.*,
    s.supplier_share_sum,
    -- BACI: the suppliers are the whole total, shares sum to 1. Comtrade: the total is the
    -- reporter's World figure, which can include partners not loaded or areas, so the country
    -- shares sum to at most 1.
    case
        when d.trade_source = 'baci' then s.supplier_share_sum - 1
        else greatest(s.supplier_share_sum - 1, 0)
    end as supplier_share_sum_deviation,
    -- BACI: the mart's imports are the trade fact's, summed over the importer's suppliers.
    case
        when d.trade_source = 'baci'
            then (d.import_value_usd - f.trade_value_usd) / nullif(f.trade_value_usd, 0)
    end as trade_total_relative_gap,
    d.trade_source <> 'baci' or f.trade_value_usd is not null as in_trade_flows
from marts.mart_import_dependency as d
left join shares as s
    on d.year = s.year
    and d.importer_iso3 = s.importer_iso3
    and d.mineral = s.mineral
    and d.stage = s.stage
    and d.trade_source = s.trade_source
    and d.frequency = s.frequency
    and d.month is not distinct from s.month
left join flows as f
    on d.trade_source = 'baci'
    and d.year = f.year
    and d.importer_iso3 = f.importer_iso3
    and d.mineral = f.mineral
    and d.stage = f.stage
"""

PRODUCTION_CONCENTRATION_FRAME_SQL = """
with shares as (
    select
        p.production_source, p.year, p.mineral, p.production_type,
        sum(p.quantity) / any_value(c.world_total) as country_share_sum
    from marts.fct_production as p
    inner join marts.mart_production_concentration as c
        on p.production_source = c.production_source
        and p.year = c.year
        and p.mineral = c.mineral
        and p.production_type = c.production_type
        and p.edition is not distinct from c.edition
        and p.type_raw is not distinct from c.type_raw
    where p.quantity is not null
    group by all
)
select c.*, s.country_share_sum
from marts.mart_production_concentration as c
left join shares as s using (production_source, year, mineral, production_type)
"""


def _between(column: str, low: float | None, high: float | None) -> gx.expectations.Expectation:
    return _gx().expectations.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high
    )


def _not_null(columns: list[str]) -> list[gx.expectations.Expectation]:
    return [_gx().expectations.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def _all_true(column: str) -> gx.expectations.Expectation:
    return _gx().expectations.ExpectColumnValuesToBeInSet(column=column, value_set=[True])


def _suite(name: str, expectations: list[gx.expectations.Expectation]) -> ExpectationSuite:
    _context()  # GX binds new suites to the current data context
    suite = _gx().ExpectationSuite(name=name)
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite


def import_dependency_suite() -> ExpectationSuite:
    """Rules across marts.mart_import_dependency, its supplier shares and the trade fact."""
    return _suite(
        "mart_import_dependency",
        [
            # Every importer's suppliers are in mart_supplier_shares, and their shares sum to 1
            # (BACI) or to at most 1 (Comtrade).
            *_not_null(["supplier_share_sum"]),
            _between("supplier_share_sum_deviation", -TOLERANCE, TOLERANCE),
            # BACI: the mart's imports are the trade fact's total for the importer.
            _all_true("in_trade_flows"),
            _between("trade_total_relative_gap", -TOLERANCE, TOLERANCE),
        ],
    )


def production_concentration_suite() -> ExpectationSuite:
    """Rules across marts.mart_production_concentration and its country production figures."""
    return _suite(
        "mart_production_concentration",
        [
            # The world total is the sum of the countries of fct_production: shares sum to 1.
            *_not_null(["country_share_sum"]),
            _between("country_share_sum", 1 - TOLERANCE, 1 + TOLERANCE),
        ],
    )


def deciding_rows_sql(frame_sql: str, suite: ExpectationSuite) -> str:
    """SQL for the rows of `frame_sql` that decide every expectation of `suite`, chosen in DuckDB.

    A mart can have millions of rows, but whether a rule holds is decided by a few of them: a
    range rule by the rows with the column's minimum and maximum, a set rule by one row per
    distinct value, a not-null rule by the rows with a null, a uniqueness rule by the rows whose
    key repeats. GX validating these rows gives the same verdict as validating all of them; only
    the counts of unexpected rows in a failure are those of the chosen rows. A suite with another
    kind of expectation is validated on every row.

    Rows travel as structs (`arg_min(f, column)` is the whole row `f` holding the minimum), so
    DuckDB chooses them in hash aggregates without sorting or numbering the frame; repeated keys
    are found by grouping on one hash of the key columns. A row chosen by several rules is kept
    once; a repeated key keeps all its rows.
    """
    extremes: list[str] = []
    picks: list[str] = []
    set_columns: list[str] = []
    null_columns: list[str] = []
    repeats: list[str] = []
    for expectation in suite.expectations:
        if isinstance(expectation, _gx().expectations.ExpectColumnValuesToBeBetween):
            column = quote_identifier(expectation.column)
            extremes += [f"arg_min(f, f.{column})", f"arg_max(f, f.{column})"]
        elif isinstance(expectation, _gx().expectations.ExpectColumnValuesToBeInSet):
            set_columns.append(f"(f.{quote_identifier(expectation.column)})")
        elif isinstance(expectation, _gx().expectations.ExpectColumnValuesToNotBeNull):
            null_columns.append(f"f.{quote_identifier(expectation.column)} is null")
        elif isinstance(expectation, _gx().expectations.ExpectCompoundColumnsToBeUnique):
            keys = ", ".join(f"f.{quote_identifier(c)}" for c in expectation.column_list)
            # Rows whose key hash repeats: every repeated key, and rarely a hash collision (an
            # extra row GX finds unique).
            repeats.append(
                f"select f as r from frame as f where hash({keys}) in "
                f"(select hash({keys}) from frame as f group by 1 having count(*) > 1)"
            )
        else:
            return frame_sql
    if extremes:
        picks.append(f"select unnest([{', '.join(extremes)}]) as r from frame as f")
    if set_columns:
        sets = ", ".join(dict.fromkeys(set_columns))
        picks.append(f"select any_value(f) as r from frame as f group by grouping sets ({sets})")
    if null_columns:
        picks.append(f"select f as r from frame as f where {' or '.join(null_columns)}")
    if not picks and not repeats:
        return frame_sql
    chosen = [f"(select r from ({' union '.join(picks)}) where r is not null)"] if picks else []
    chosen += [f"({sql})" for sql in repeats]
    return f"with frame as ({frame_sql})\nselect unnest(r) from ({' union all '.join(chosen)})"


@dataclass(frozen=True)
class SuiteOutcome:
    """The result of one suite on one frame: which expectations failed and on how many rows."""

    suite: str
    rows: int
    evaluated: int
    failures: tuple[str, ...]

    @property
    def success(self) -> bool:
        return not self.failures


_warm_up: threading.Thread | None = None


def warm_up() -> None:
    """Import GX and make its context in a background thread, once per process.

    A run calls this when dbt's build starts: dbt parses the project in its own process for
    several seconds on one core, the other core is free, and the checks that follow would
    otherwise spend their first seconds on the import. The first check waits for the thread."""
    global _warm_up
    if _warm_up is None:
        # SQLAlchemy's ORM, which Great Expectations imports and Dagster's event storage loads on
        # first use, is imported here first: two threads importing it at once can fail one
        # of them ("partially initialized module 'sqlalchemy.orm.exc'"), seen once in a run.
        importlib.import_module("sqlalchemy.orm")
        _warm_up = threading.Thread(target=_new_context, name="critmin-gx-warm-up", daemon=True)
        _warm_up.start()


def _wait_for_warm_up() -> None:
    if _warm_up is not None and _warm_up is not threading.current_thread():
        _warm_up.join()


def _context() -> gx.data_context.AbstractDataContext:
    _wait_for_warm_up()
    return _new_context()


@cache
def _new_context() -> gx.data_context.AbstractDataContext:
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = _gx().get_context(mode="ephemeral")
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate(frame: pd.DataFrame, suite: ExpectationSuite) -> SuiteOutcome:
    """Validate `frame` against `suite` with GX's pandas data source."""
    context = _context()
    name = f"{suite.name}_{id(frame)}"
    data_source = context.data_sources.add_or_update_pandas(name)
    asset = data_source.add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(name).get_batch(
        batch_parameters={"dataframe": frame}
    )
    try:
        result = batch.validate(suite)
    finally:
        context.data_sources.delete(name)
    failures = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        where = config.kwargs.get("column") or config.kwargs.get("column_list")
        unexpected = (r.result or {}).get("unexpected_count")
        detail = f"{unexpected} row(s)" if unexpected is not None else "no result"
        failures.append(f"{config.type} on {where}: {detail}")
    return SuiteOutcome(
        suite=suite.name, rows=len(frame), evaluated=len(result.results), failures=tuple(failures)
    )


# --- dependency marts ------------------------------------------------------------------------

SUPPLY_RISK_FRAME_SQL = """
select
    r.*,
    c.hhi is not null as in_production_concentration,
    r.hhi - c.hhi as hhi_gap_to_production_concentration
from marts.mart_supply_risk as r
left join marts.mart_production_concentration as c
    on c.production_source = 'usgs_mcs'
    and r.year = c.year
    and r.mineral = c.mineral
    and r.production_type = c.production_type
"""

ALTERNATIVE_SUPPLIERS_FRAME_SQL = """
select
    year, importer_iso3, mineral, stage,
    sum(current_import_share) as current_share_sum,
    max(candidate_rank) - count(*) as rank_gap,
    -- candidate_count counts every candidate, of which the mart lists the top ones.
    max(candidate_count) - min(candidate_count) as candidate_count_spread,
    count(*) - min(candidate_count) as rows_beyond_candidate_count
from marts.mart_alternative_suppliers
group by all
"""


def supply_risk_suite() -> ExpectationSuite:
    """Rules across marts.mart_supply_risk and marts.mart_production_concentration."""
    return _suite(
        "mart_supply_risk",
        [
            # Every (year, mineral, type) has its USGS concentration row, and the same HHI.
            _all_true("in_production_concentration"),
            _between("hhi_gap_to_production_concentration", -TOLERANCE, TOLERANCE),
        ],
    )


def alternative_suppliers_suite() -> ExpectationSuite:
    """Rules across the candidate rows of one importer, mineral, stage and year in
    marts.mart_alternative_suppliers."""
    return _suite(
        "mart_alternative_suppliers",
        [
            # Candidates are a subset of the importer's suppliers plus others: shares sum to <= 1.
            _between("current_share_sum", 0, 1 + TOLERANCE),
            # Ranks run 1..n without gaps; the group's rows agree on candidate_count, and list
            # no more candidates than it counts.
            _between("rank_gap", 0, 0),
            _between("candidate_count_spread", 0, 0),
            _between("rows_beyond_candidate_count", None, 0),
        ],
    )
