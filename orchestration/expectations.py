"""Great Expectations suites for the dependency marts, validated on pandas frames.

Great Expectations 1.x cannot validate DuckDB through its SQL data source, so the marts are read
from DuckDB into pandas (read-only) and validated through GX's pandas data source. Rules that
span rows (shares summing to 1 per group, HHI's lower bound 1/n) are expressed on derived columns
that the frame-building SQL adds, so every rule is an ordinary GX expectation with a result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import great_expectations as gx
import pandas as pd
from great_expectations.core.expectation_suite import ExpectationSuite
from great_expectations.data_context.types.base import ProgressBarsConfig

from ingest.reference import MINERALS, STAGES

# Floating-point slack for sums of shares and HHI bounds.
TOLERANCE = 1e-9

IMPORT_DEPENDENCY_FRAME_SQL = """
with shares as (
    select year, importer_iso3, mineral, stage, sum(share) as supplier_share_sum
    from marts.mart_supplier_shares
    group by all
)
select
    d.*,
    s.supplier_share_sum,
    d.hhi - 1.0 / d.supplier_count as hhi_above_lower_bound,
    d.top_supplier_share - d.china_share as top_share_minus_china_share
from marts.mart_import_dependency as d
left join shares as s using (year, importer_iso3, mineral, stage)
"""

PRODUCTION_CONCENTRATION_FRAME_SQL = """
with shares as (
    select
        p.year, p.mineral, p.production_type,
        sum(p.quantity) / any_value(c.world_total) as country_share_sum
    from marts.fct_production as p
    inner join marts.mart_production_concentration as c
        using (year, mineral, production_type, edition, type_raw)
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
left join shares as s using (year, mineral, production_type)
"""


def _between(column: str, low: float | None, high: float | None) -> gx.expectations.Expectation:
    return gx.expectations.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high
    )


def _not_null(columns: list[str]) -> list[gx.expectations.Expectation]:
    return [gx.expectations.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def import_dependency_suite() -> ExpectationSuite:
    """Rules for marts.mart_import_dependency (with its supplier shares)."""
    _context()  # GX binds new suites to the current data context
    keys = ["year", "importer_iso3", "mineral", "stage"]
    suite = ExpectationSuite(name="mart_import_dependency")
    for expectation in [
        *_not_null([*keys, "import_value_usd", "supplier_count", "top_supplier_iso3", "hhi"]),
        *_not_null(["top_supplier_share", "china_share", "supplier_share_sum"]),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
        gx.expectations.ExpectColumnValuesToBeInSet(column="mineral", value_set=list(MINERALS)),
        gx.expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=list(STAGES)),
        _between("import_value_usd", 0, None),
        _between("supplier_count", 1, None),
        _between("top_supplier_share", 0, 1),
        _between("china_share", 0, 1),
        _between("hhi", 0, 1),
        # HHI of n suppliers lies in [1/n, 1].
        _between("hhi_above_lower_bound", -TOLERANCE, None),
        # Every importer's supplier shares sum to 1.
        _between("supplier_share_sum", 1 - TOLERANCE, 1 + TOLERANCE),
        # China cannot hold more than the top supplier's share.
        _between("top_share_minus_china_share", -TOLERANCE, None),
    ]:
        suite.add_expectation(expectation)
    return suite


def production_concentration_suite() -> ExpectationSuite:
    """Rules for marts.mart_production_concentration (with its country production shares)."""
    _context()  # GX binds new suites to the current data context
    keys = ["year", "mineral", "production_type"]
    suite = ExpectationSuite(name="mart_production_concentration")
    for expectation in [
        *_not_null([*keys, "world_total", "hhi", "top1_iso3", "top1_share", "top3_share"]),
        *_not_null(["china_share", "country_count", "country_share_sum"]),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=keys),
        gx.expectations.ExpectColumnValuesToBeInSet(column="mineral", value_set=list(MINERALS)),
        gx.expectations.ExpectColumnValuesToBeInSet(
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
    ]:
        suite.add_expectation(expectation)
    return suite


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


@cache
def _context() -> gx.data_context.AbstractDataContext:
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
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
