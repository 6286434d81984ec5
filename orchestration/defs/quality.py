"""Great Expectations suites on the marts, run as Dagster asset checks after each build."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    Definitions,
    asset_check,
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
)

from ingest import registry
from orchestration import expectations, progress
from orchestration.resources import WarehouseResource
from warehouse import access

if TYPE_CHECKING:  # Great Expectations loads in the background (expectations.warm_up)
    from great_expectations.core.expectation_suite import ExpectationSuite


def _mart(name: str) -> AssetKey:
    return AssetKey(["marts", name])


def _check_result(outcome: expectations.SuiteOutcome, mart_rows: int) -> AssetCheckResult:
    return AssetCheckResult(
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"{outcome.evaluated} expectations on {mart_rows} rows "
            f"({outcome.rows} deciding rows validated): "
            + ("all met" if outcome.success else "; ".join(outcome.failures))
        ),
        metadata={
            "rows": mart_rows,
            "rows_validated": outcome.rows,
            "expectations": outcome.evaluated,
            "failed_expectations": len(outcome.failures),
        },
    )


@dataclass(frozen=True)
class MartValidation:
    """A Great Expectations suite and the mart it validates: `suite()` builds the suite,
    `frame_sql` reads the mart's columns it needs (only the rows that decide each expectation
    reach GX: `expectations.deciding_rows_sql`)."""

    mart: str
    frame_sql: str
    suite: Callable[[], "ExpectationSuite"]
    additional_deps: tuple[AssetKey, ...]
    description: str


def gx_check(validation: MartValidation, total: int) -> AssetChecksDefinition:
    """A blocking asset check on `marts.<mart>` that validates it (read-only) against the suite
    of `validation`; `total` is the number of such checks, for the progress output."""
    mart = validation.mart

    @asset_check(
        asset=_mart(mart),
        name=f"gx_{mart.removeprefix('mart_')}",
        blocking=True,
        additional_deps=list(validation.additional_deps),
        description=f"GX: {validation.description}",
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        rules = validation.suite()
        context.log.info(f"checking marts.{mart} with the Great Expectations suite {rules.name}")
        started = time.perf_counter()
        with warehouse.reader(access.RUN_READ_MEMORY_LIMIT) as con:
            rows = con.execute(f"select count(*) from marts.{mart}").fetchall()[0][0]
            frame = con.sql(expectations.deciding_rows_sql(validation.frame_sql, rules)).df()
        outcome = expectations.validate(frame, rules)
        progress.active().gx_result(mart, outcome, rows, time.perf_counter() - started, total)
        return _check_result(outcome, rows)

    return _check


# What Great Expectations validates: what dbt's tests and contracts cannot say on one row of one
# model (sums across rows, agreement between marts, the shape of groups); the row rules of these
# and the other marts are dbt's. `build_defs` takes these by default; a caller may pass others (a
# test passes a stricter suite).
MART_VALIDATIONS = (
    MartValidation(
        "mart_import_dependency",
        expectations.IMPORT_DEPENDENCY_FRAME_SQL,
        expectations.import_dependency_suite,
        (_mart("mart_supplier_shares"), _mart("fct_trade_flows")),
        "each importer's supplier shares sum to 1 (BACI; at most 1 for Comtrade), and its BACI "
        "imports equal the trade fact's total.",
    ),
    MartValidation(
        "mart_production_concentration",
        expectations.PRODUCTION_CONCENTRATION_FRAME_SQL,
        expectations.production_concentration_suite,
        (_mart("fct_production"),),
        "the country shares of fct_production sum to 1 for every row.",
    ),
    MartValidation(
        "mart_supply_risk",
        expectations.SUPPLY_RISK_FRAME_SQL,
        expectations.supply_risk_suite,
        (_mart("mart_production_concentration"),),
        "every row has its USGS production-concentration row, with the same HHI.",
    ),
    MartValidation(
        "mart_alternative_suppliers",
        expectations.ALTERNATIVE_SUPPLIERS_FRAME_SQL,
        expectations.alternative_suppliers_suite,
        (),
        "per importer, mineral, stage and year: current shares sum to at most 1, ranks run 1..n "
        "without gaps, one candidate_count, no more rows than it counts.",
    ),
)


# Sources are re-read by the monthly refresh: a raw table not loaded for 35 days means the
# refresh has stopped running. One table per source, the one its spec names (`fresh_table`).
SOURCE_TABLES = [
    AssetKey(["raw", spec.fresh_table]) for spec in registry.SOURCES if spec.fresh_table
]
source_freshness_checks = build_last_update_freshness_checks(
    assets=SOURCE_TABLES, lower_bound_delta=timedelta(days=35)
)
source_freshness_sensor = build_sensor_for_freshness_checks(
    freshness_checks=source_freshness_checks, name="critmin_source_freshness"
)

# BACI publishes a year about 18 months after it ends; data more than three years behind the
# calendar means the landing directory lacks the recent releases.
TRADE_YEARS_BEHIND = 3


@asset_check(
    asset=AssetKey(["raw", "baci_trade"]),
    name="trade_data_is_recent",
    description=f"The latest BACI year is at most {TRADE_YEARS_BEHIND} years behind today.",
)
def trade_data_is_recent(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        latest = con.execute("select max(year) from raw.baci_trade").fetchone()[0]
    this_year = datetime.now(UTC).year
    if latest is None:
        return AssetCheckResult(passed=True, description="no BACI data loaded (source absent)")
    behind = this_year - latest
    return AssetCheckResult(
        passed=behind <= TRADE_YEARS_BEHIND,
        severity=AssetCheckSeverity.WARN,
        description=f"latest BACI year {latest}, {behind} year(s) behind {this_year}",
        metadata={"latest_year": latest, "years_behind": behind},
    )


# OWID's production data flags a mineral and year where USGS and World Mining Data world totals
# differ by more than 10%; so does this check, as a warning with the figures (not a failure).
PRODUCTION_SOURCES_DIFFER_SQL = """
select year, mineral, production_type, usgs_world_total_t, wmd_world_total_t,
    relative_difference, wmd_table, wmd_total_row_matches_countries
from marts.mart_production_source_comparison
where differs_by_more_than_10pct
order by mineral, production_type, year
"""


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


@asset_check(
    asset=_mart("mart_production_source_comparison"),
    name="production_sources_agree",
    description="USGS and World Mining Data world totals within 10% of each other (warning).",
)
def production_sources_agree(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        differing = con.execute(PRODUCTION_SOURCES_DIFFER_SQL).fetchall()
        compared = con.execute(
            "select count(*) from marts.mart_production_source_comparison"
        ).fetchone()[0]
    listed = [
        f"{mineral} {production_type} {year}: USGS {usgs:,.0f} t, WMD {wmd:,.0f} t "
        f"({_percent(relative)}; WMD table {table}"
        + ("" if matches in (True, None) else ", WMD Total row differs from its countries")
        + ")"
        for year, mineral, production_type, usgs, wmd, relative, table, matches in differing
    ]
    return AssetCheckResult(
        passed=not differing,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(differing)} of {compared} mineral-years differ by more than 10%"
            + (": " + "; ".join(listed) if listed else "")
        ),
        metadata={
            "compared": compared,
            "differing": len(differing),
            "differing_mineral_years": "\n".join(listed) or "none",
        },
    )


def quality_defs(validations: Sequence[MartValidation] | None = None) -> Definitions:
    """The Great Expectations checks of `validations` (default: `MART_VALIDATIONS`), the source
    freshness checks and sensor, and the warnings on recent trade data and on the production
    sources' agreement."""
    if validations is None:
        validations = MART_VALIDATIONS
    return Definitions(
        asset_checks=[
            *(gx_check(validation, len(validations)) for validation in validations),
            trade_data_is_recent,
            production_sources_agree,
            *source_freshness_checks,
        ],
        sensors=[source_freshness_sensor],
    )
