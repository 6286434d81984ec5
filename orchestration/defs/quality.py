"""Great Expectations suites on the marts, run as Dagster asset checks after each build."""

from datetime import UTC, datetime, timedelta

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    Definitions,
    asset_check,
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
)

from orchestration import expectations
from orchestration.resources import WarehouseResource

IMPORT_DEPENDENCY = AssetKey(["marts", "mart_import_dependency"])
SUPPLIER_SHARES = AssetKey(["marts", "mart_supplier_shares"])
PRODUCTION_CONCENTRATION = AssetKey(["marts", "mart_production_concentration"])
PRODUCTION = AssetKey(["marts", "fct_production"])


def _check_result(outcome: expectations.SuiteOutcome) -> AssetCheckResult:
    return AssetCheckResult(
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"{outcome.evaluated} expectations on {outcome.rows} rows: "
            + ("all met" if outcome.success else "; ".join(outcome.failures))
        ),
        metadata={
            "rows": outcome.rows,
            "expectations": outcome.evaluated,
            "failed_expectations": len(outcome.failures),
        },
    )


@asset_check(
    asset=IMPORT_DEPENDENCY,
    name="gx_import_dependency",
    blocking=True,
    additional_deps=[SUPPLIER_SHARES],
    description="GX: shares in [0,1] and summing to 1 per importer, HHI in [1/n, 1], keys unique.",
)
def gx_import_dependency(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.IMPORT_DEPENDENCY_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.import_dependency_suite()))


@asset_check(
    asset=PRODUCTION_CONCENTRATION,
    name="gx_production_concentration",
    blocking=True,
    additional_deps=[PRODUCTION],
    description="GX: country shares sum to 1, HHI in [1/n, 1], top1 <= top3, keys unique.",
)
def gx_production_concentration(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.PRODUCTION_CONCENTRATION_FRAME_SQL).df()
    return _check_result(
        expectations.validate(frame, expectations.production_concentration_suite())
    )


POLICY_EXPOSURE = AssetKey(["marts", "mart_policy_exposure"])
SUPPLY_RISK = AssetKey(["marts", "mart_supply_risk"])
ALTERNATIVE_SUPPLIERS = AssetKey(["marts", "mart_alternative_suppliers"])
COUNTRIES = AssetKey(["marts", "dim_country"])
POLICY_EVENTS = AssetKey(["marts", "dim_policy_event"])


@asset_check(
    asset=POLICY_EXPOSURE,
    name="gx_policy_exposure",
    blocking=True,
    additional_deps=[COUNTRIES, POLICY_EVENTS],
    description="GX: exposure shares in [0,1], exposed <= scope imports, keys unique, "
    "importers and events resolve to their dimensions, no self-exposure.",
)
def gx_policy_exposure(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.POLICY_EXPOSURE_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.policy_exposure_suite()))


@asset_check(
    asset=SUPPLY_RISK,
    name="gx_supply_risk",
    blocking=True,
    additional_deps=[PRODUCTION_CONCENTRATION],
    description="GX: HHI in [0,1], HHI_WGI in [0, 10 x HHI], WGI coverage in [0,1], keys unique.",
)
def gx_supply_risk(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.SUPPLY_RISK_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.supply_risk_suite()))


@asset_check(
    asset=ALTERNATIVE_SUPPLIERS,
    name="gx_alternative_suppliers",
    blocking=True,
    additional_deps=[COUNTRIES],
    description="GX: shares in [0,1], ranks 1..n without gaps, keys unique, candidates resolve "
    "to dim_country and are never the importer.",
)
def gx_alternative_suppliers(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.ALTERNATIVE_SUPPLIERS_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.alternative_suppliers_suite()))


NET_IMPORT_RELIANCE = AssetKey(["marts", "mart_net_import_reliance"])
EVENT_TRADE_RESPONSE = AssetKey(["marts", "mart_event_trade_response"])
SUPPLY_SHOCK = AssetKey(["marts", "mart_supply_shock"])


@asset_check(
    asset=NET_IMPORT_RELIANCE,
    name="gx_net_import_reliance",
    blocking=True,
    additional_deps=[COUNTRIES],
    description="GX: NIR equals net imports over apparent consumption, net-exporter flag agrees, "
    "tonnages non-negative, keys unique, countries resolve.",
)
def gx_net_import_reliance(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.NET_IMPORT_RELIANCE_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.net_import_reliance_suite()))


@asset_check(
    asset=EVENT_TRADE_RESPONSE,
    name="gx_event_trade_response",
    blocking=True,
    additional_deps=[POLICY_EVENTS],
    description="GX: change = after - before, values non-negative, after year follows before, "
    "keys unique, events resolve.",
)
def gx_event_trade_response(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.EVENT_TRADE_RESPONSE_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.event_trade_response_suite()))


@asset_check(
    asset=SUPPLY_SHOCK,
    name="gx_supply_shock",
    blocking=True,
    additional_deps=[COUNTRIES],
    description="GX: shortfall within imports and split into coverable + uncovered, shares in "
    "[0,1], months of cover non-negative, keys unique.",
)
def gx_supply_shock(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.reader() as con:
        frame = con.sql(expectations.SUPPLY_SHOCK_FRAME_SQL).df()
    return _check_result(expectations.validate(frame, expectations.supply_shock_suite()))


# Sources are re-read by the monthly refresh: a raw table not loaded for 35 days means the
# refresh has stopped running.
SOURCE_TABLES = [
    AssetKey(["raw", table])
    for table in ("baci_trade", "usgs_mcs_world", "comtrade_records", "policy_events")
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


defs = Definitions(
    asset_checks=[
        gx_import_dependency,
        gx_production_concentration,
        gx_policy_exposure,
        gx_supply_risk,
        gx_alternative_suppliers,
        gx_net_import_reliance,
        gx_event_trade_response,
        gx_supply_shock,
        trade_data_is_recent,
        *source_freshness_checks,
    ],
    sensors=[source_freshness_sensor],
)
