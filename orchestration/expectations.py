"""Great Expectations suites for the dependency marts, validated on pandas frames.

Great Expectations 1.x cannot validate DuckDB through its SQL data source, so the marts are read
from DuckDB into pandas (read-only) and validated through GX's pandas data source. The checks of
a run read only the rows that decide each rule (`deciding_rows_sql`: the minimum and maximum of a
range, one row per distinct value of a set, nulls, repeated keys), chosen in DuckDB, so GX gives
the verdict it would give on the whole mart at a cost that does not grow with its size. Rules that
span rows (shares summing to 1 per group, HHI's lower bound 1/n) are expressed on derived columns
that the frame-building SQL adds, so every rule is an ordinary GX expectation with a result.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

import pandas as pd

from ingest.reference.lookup import MINERALS, STAGES
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
)
select
    d.*,
    s.supplier_share_sum,
    -- BACI: the suppliers are the whole total, shares sum to 1 and HHI >= 1/n. Comtrade: the
    -- total is the reporter's World figure, which can include partners not loaded or areas, so
    -- the country shares sum to c <= 1 and HHI >= c^2/n.
    case
        when d.trade_source = 'baci' then s.supplier_share_sum - 1
        else greatest(s.supplier_share_sum - 1, 0)
    end as supplier_share_sum_deviation,
    case
        when d.trade_source = 'baci' then d.hhi - 1.0 / d.supplier_count
        else d.hhi - d.partner_coverage_share * d.partner_coverage_share / d.supplier_count
    end as hhi_above_lower_bound,
    d.top_supplier_share - d.china_share as top_share_minus_china_share
from marts.mart_import_dependency as d
left join shares as s
    on d.year = s.year
    and d.importer_iso3 = s.importer_iso3
    and d.mineral = s.mineral
    and d.stage = s.stage
    and d.trade_source = s.trade_source
    and d.frequency = s.frequency
    and d.month is not distinct from s.month
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
select
    c.*,
    s.country_share_sum,
    c.hhi - 1.0 / c.country_count as hhi_above_lower_bound,
    c.top3_share - c.top1_share as top3_minus_top1_share,
    c.top1_share - c.china_share as top1_minus_china_share
from marts.mart_production_concentration as c
left join shares as s using (production_source, year, mineral, production_type)
"""


def _between(column: str, low: float | None, high: float | None) -> gx.expectations.Expectation:
    return _gx().expectations.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high
    )


def _not_null(columns: list[str]) -> list[gx.expectations.Expectation]:
    return [_gx().expectations.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def _suite(name: str, expectations: list[gx.expectations.Expectation]) -> ExpectationSuite:
    _context()  # GX binds new suites to the current data context
    suite = _gx().ExpectationSuite(name=name)
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite


def import_dependency_suite() -> ExpectationSuite:
    """Rules for marts.mart_import_dependency (with its supplier shares)."""
    keys = ["year", "importer_iso3", "mineral", "stage", "trade_source", "frequency", "month"]
    return _suite(
        "mart_import_dependency",
        [
            *_not_null([*keys[:-1], "import_value_usd", "supplier_count", "top_supplier_iso3"]),
            *_not_null(["hhi", "top_supplier_share", "china_share", "supplier_share_sum"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="mineral", value_set=list(MINERALS)
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=list(STAGES)),
            _between("import_value_usd", 0, None),
            _between("supplier_count", 1, None),
            _between("top_supplier_share", 0, 1),
            _between("china_share", 0, 1),
            _between("hhi", 0, 1),
            # HHI of n suppliers lies in [1/n, 1].
            _between("hhi_above_lower_bound", -TOLERANCE, None),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="trade_source", value_set=["baci", "comtrade"]
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="frequency", value_set=["annual", "monthly"]
            ),
            # BACI: every importer's supplier shares sum to 1; Comtrade: to at most 1.
            _between("supplier_share_sum_deviation", -TOLERANCE, TOLERANCE),
            # China cannot hold more than the top supplier's share.
            _between("top_share_minus_china_share", -TOLERANCE, None),
        ],
    )


def production_concentration_suite() -> ExpectationSuite:
    """Rules for marts.mart_production_concentration (with its country production shares)."""
    keys = ["production_source", "year", "mineral", "production_type"]
    return _suite(
        "mart_production_concentration",
        [
            *_not_null([*keys, "world_total", "hhi", "top1_iso3", "top1_share", "top3_share"]),
            *_not_null(["china_share", "country_count", "country_share_sum"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="mineral", value_set=list(MINERALS)
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="production_type", value_set=["mine", "refinery"]
            ),
            _between("world_total", 0, None),
            _between("country_count", 1, None),
            _between("top1_share", 0, 1),
            _between("top3_share", 0, 1),
            _between("china_share", 0, 1),
            _between("hhi", 0, 1),
            _between("hhi_above_lower_bound", -TOLERANCE, None),
            _between("country_share_sum", 1 - TOLERANCE, 1 + TOLERANCE),
            _between("top3_minus_top1_share", -TOLERANCE, None),
            _between("top1_minus_china_share", -TOLERANCE, None),
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

POLICY_EXPOSURE_FRAME_SQL = """
select
    e.*,
    e.scope_imports_usd - e.exposed_imports_usd as unexposed_imports_usd,
    i.country_iso3 is not null as importer_in_dim_country,
    p.event_id is not null as event_in_dim_policy_event,
    e.importer_iso3 = e.imposing_iso3 as importer_is_imposer
from marts.mart_policy_exposure as e
left join marts.dim_country as i on e.importer_iso3 = i.country_iso3
left join marts.dim_policy_event as p on e.event_id = p.event_id
"""

SUPPLY_RISK_FRAME_SQL = """
select
    r.*,
    r.hhi * 10 - r.hhi_wgi as hhi_times_10_minus_hhi_wgi,
    c.hhi is not null as in_production_concentration
from marts.mart_supply_risk as r
left join marts.mart_production_concentration as c
    on c.production_source = 'usgs_mcs'
    and r.year = c.year
    and r.mineral = c.mineral
    and r.production_type = c.production_type
"""

ALTERNATIVE_SUPPLIERS_FRAME_SQL = """
with totals as (
    select year, importer_iso3, mineral, stage, sum(current_import_share) as current_share_sum,
        count(*) as candidates, max(candidate_rank) as max_rank
    from marts.mart_alternative_suppliers
    group by all
)
select
    a.*,
    t.current_share_sum,
    t.max_rank - t.candidates as rank_gap,
    c.country_iso3 is not null as candidate_in_dim_country,
    a.candidate_iso3 = a.importer_iso3 as candidate_is_importer
from marts.mart_alternative_suppliers as a
inner join totals as t using (year, importer_iso3, mineral, stage)
left join marts.dim_country as c on a.candidate_iso3 = c.country_iso3
"""


def _all_true(column: str) -> gx.expectations.Expectation:
    return _gx().expectations.ExpectColumnValuesToBeInSet(column=column, value_set=[True])


def _all_false(column: str) -> gx.expectations.Expectation:
    return _gx().expectations.ExpectColumnValuesToBeInSet(column=column, value_set=[False])


def policy_exposure_suite() -> ExpectationSuite:
    """Rules for marts.mart_policy_exposure: shares in [0, 1], keys unique, dims resolve."""
    keys = ["event_id", "importer_iso3", "trade_source", "frequency", "reference_year", "month"]
    return _suite(
        "mart_policy_exposure",
        [
            *_not_null([*keys[:-1], "imposing_iso3", "exposure_share"]),
            *_not_null(["exposed_imports_usd", "scope_imports_usd", "is_upper_bound"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="measure_type",
                value_set=["export_licensing", "export_ban", "export_quota", "export_tax"],
            ),
            _between("exposure_share", 0, 1),
            _between("exposed_imports_usd", 0, None),
            _between("scope_imports_usd", 0, None),
            _between("unexposed_imports_usd", -TOLERANCE, None),
            _all_true("importer_in_dim_country"),
            _all_true("event_in_dim_policy_event"),
            _all_false("importer_is_imposer"),
        ],
    )


def supply_risk_suite() -> ExpectationSuite:
    """Rules for marts.mart_supply_risk: HHI in [0, 1], HHI_WGI in [0, 10 x HHI], keys unique."""
    keys = ["year", "mineral", "production_type"]
    return _suite(
        "mart_supply_risk",
        [
            *_not_null([*keys, "hhi", "hhi_wgi", "wgi_coverage_share"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="mineral", value_set=list(MINERALS)
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="production_type", value_set=["mine", "refinery"]
            ),
            _between("hhi", 0, 1 + TOLERANCE),
            _between("hhi_wgi", 0, 10 + TOLERANCE),
            _between("wgi_coverage_share", 0, 1 + TOLERANCE),
            _between("mean_governance_risk_0_10", 0, 10),
            _between("mean_political_risk_0_1", 0, 1),
            # WGI risk is at most 10, so HHI_WGI cannot exceed 10 x HHI.
            _between("hhi_times_10_minus_hhi_wgi", -TOLERANCE, None),
            _all_true("in_production_concentration"),
        ],
    )


def alternative_suppliers_suite() -> ExpectationSuite:
    """Rules for marts.mart_alternative_suppliers: shares in [0, 1], ranks 1..n, dims resolve."""
    keys = ["year", "importer_iso3", "mineral", "stage", "candidate_iso3"]
    return _suite(
        "mart_alternative_suppliers",
        [
            *_not_null([*keys, "world_export_share", "ranking_score", "candidate_rank"]),
            *_not_null(["restricts_exports", "current_import_share"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(
                column_list=["year", "importer_iso3", "mineral", "stage", "candidate_rank"]
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="mineral", value_set=list(MINERALS)
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=list(STAGES)),
            _between("world_export_share", 0, 1 + TOLERANCE),
            _between("production_share", 0, 1 + TOLERANCE),
            _between("reserves_share", 0, 1 + TOLERANCE),
            _between("governance_risk_0_10", 0, 10),
            _between("current_import_share", 0, 1 + TOLERANCE),
            # Candidates are a subset of the importer's suppliers plus others: shares sum to <= 1.
            _between("current_share_sum", 0, 1 + TOLERANCE),
            _between("candidate_rank", 1, None),
            # Ranks run 1..n without gaps.
            _between("rank_gap", 0, 0),
            _all_true("candidate_in_dim_country"),
            _all_false("candidate_is_importer"),
        ],
    )


NET_IMPORT_RELIANCE_FRAME_SQL = """
select
    n.*,
    c.country_iso3 is not null as country_in_dim_country,
    -- NIR = (imports - exports) / apparent consumption, recomputed from the mart's own columns.
    n.nir - n.net_imports_t / nullif(n.apparent_consumption_t, 0) as nir_recomputed_gap,
    n.is_net_exporter = (n.net_imports_t < 0) as net_exporter_flag_consistent
from marts.mart_net_import_reliance as n
left join marts.dim_country as c on n.country_iso3 = c.country_iso3
"""

EVENT_TRADE_RESPONSE_FRAME_SQL = """
select
    r.*,
    r.change_usd - (r.post_value_usd - r.pre_value_usd) as change_recomputed_gap,
    p.event_id is not null as event_in_dim_policy_event,
    r.post_year > r.pre_year as post_after_pre
from marts.mart_event_trade_response as r
left join marts.dim_policy_event as p on r.event_id = p.event_id
"""

SUPPLY_SHOCK_FRAME_SQL = """
select
    s.*,
    s.shortfall_usd - s.coverable_usd - s.uncovered_usd as shortfall_split_gap,
    s.imports_usd - s.shortfall_usd as imports_minus_shortfall_usd,
    c.country_iso3 is not null as importer_in_dim_country
from marts.mart_supply_shock as s
left join marts.dim_country as c on s.importer_iso3 = c.country_iso3
"""


def net_import_reliance_suite() -> ExpectationSuite:
    """Rules for marts.mart_net_import_reliance: NIR = net imports / apparent consumption, the
    net-exporter flag agrees with net imports, tonnages non-negative, keys unique."""
    keys = ["year", "country_iso3", "mineral", "stage"]
    return _suite(
        "mart_net_import_reliance",
        [
            *_not_null(keys),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectColumnValuesToBeInSet(
                column="mineral", value_set=list(MINERALS)
            ),
            _gx().expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=list(STAGES)),
            _between("imports_t", 0, None),
            _between("exports_t", 0, None),
            _between("production_t", 0, None),
            _between("nir_recomputed_gap", -TOLERANCE, TOLERANCE),
            _all_true("net_exporter_flag_consistent"),
            _all_true("country_in_dim_country"),
        ],
    )


def event_trade_response_suite() -> ExpectationSuite:
    """Rules for marts.mart_event_trade_response: change = after - before, values non-negative,
    the after year follows the before year, events resolve."""
    keys = ["event_id", "importer_iso3", "exporter_iso3"]
    return _suite(
        "mart_event_trade_response",
        [
            *_not_null([*keys, "pre_year", "post_year", "supplier_role", "importer_group"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _between("pre_value_usd", 0, None),
            _between("post_value_usd", 0, None),
            _between("change_pct", -1 - TOLERANCE, None),
            _between("change_recomputed_gap", -1e-6, 1e-6),
            _all_true("post_after_pre"),
            _all_true("event_in_dim_policy_event"),
        ],
    )


def supply_shock_suite() -> ExpectationSuite:
    """Rules for marts.mart_supply_shock: the shortfall is part of imports and splits into
    coverable + uncovered, shares in [0, 1], months of cover non-negative."""
    keys = ["scenario_id", "importer_iso3", "mineral", "stage"]
    return _suite(
        "mart_supply_shock",
        [
            *_not_null([*keys, "halted_exporter_iso3", "imports_usd", "shortfall_usd"]),
            _gx().expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
            _gx().expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=list(STAGES)),
            _between("shortfall_share", 0, 1 + TOLERANCE),
            _between("coverable_share", 0, 1 + TOLERANCE),
            _between("shortfall_usd", 0, None),
            _between("spare_usd", 0, None),
            _between("imports_minus_shortfall_usd", -1e-6, None),
            _between("shortfall_split_gap", -1e-6, 1e-6),
            _between("months_of_cover", 0, None),
            _all_true("importer_in_dim_country"),
        ],
    )
