"""Great Expectations suites on the marts, run as Dagster asset checks after each build."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, Definitions, asset_check

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


defs = Definitions(asset_checks=[gx_import_dependency, gx_production_concentration])
