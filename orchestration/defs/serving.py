"""Serving: publish the build warehouse for analysts and BI tools once every check has passed.

The publish asset runs after every mart. It refuses to publish when any check of the run failed
with ERROR severity (the Great Expectations checks block it; dbt test failures fail the dbt step
itself), so a failed run leaves the previous serving copy untouched and says why. Otherwise it
exports the marts to Parquet, writes the dbt documentation, and swaps the serving file in one
rename (`warehouse.publish`).
"""

import time

from dagster import (
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration import progress
from orchestration.defs.transform import dbt_target_dir, generate_docs, switch_docs
from orchestration.resources import LandingResource, ServingResource, WarehouseResource
from warehouse import publish

PUBLISHED_KEY = AssetKey(["serving", "warehouse"])


def mart_keys(dbt_models: AssetsDefinition) -> list[AssetKey]:
    """The marts among the dbt models, in name order."""
    return sorted(
        (key for key in dbt_models.keys if key.path[0] == "marts"),
        key=lambda key: key.to_user_string(),
    )


def failed_checks_of_run(context: AssetExecutionContext) -> list[str]:
    """Every ERROR-severity check of this run that did not pass, as `asset check: description`.

    A second guard: the GX checks are blocking, so when one fails Dagster skips this step; this
    also catches a failed check that does not block (a check added later without `blocking`)."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failed = []
    for record in records:
        evaluation = record.event_log_entry.get_dagster_event().event_specific_data
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
            failed.append(
                f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: "
                f"{evaluation.description or 'failed'}"
            )
    return failed


def publish_warehouse(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    serving: ServingResource,
    landing: LandingResource,
    mart_count: int,
) -> MaterializeResult:
    """Publish the build file of this run, unless one of its checks failed."""
    failed = failed_checks_of_run(context)
    previous = publish.serving_version(serving.file)
    if failed:
        raise Failure(
            description=(
                f"Not published: {len(failed)} check(s) failed; the serving warehouse "
                f"{serving.file} is unchanged (version {previous or 'none'}).\n" + "\n".join(failed)
            ),
            metadata={"failed_checks": MetadataValue.md("\n".join(f"- {f}" for f in failed))},
        )
    # Everything is written beside what readers use, then switched in: the serving file first,
    # so the Parquet export and the docs never describe a version that was not published. The
    # serving file's copy is written while the export and the docs are.
    display = progress.active()
    started = time.perf_counter()
    version_id = publish.prepare(warehouse.file, context.run.run_id, landing.data_dir)
    context.log.info(
        f"publishing version {version_id}: exporting the marts to Parquet and writing the "
        "documentation while the build file is copied beside the serving file"
    )
    with publish.staged_copy(warehouse.file, serving.file, version_id) as copy:
        publish.export_marts_parquet(warehouse.file, serving.export_root, version_id)
        display.phase("publish: Parquet", f"{mart_count} marts", time.perf_counter() - started)
        started = time.perf_counter()
        staged_docs = generate_docs(
            warehouse.file, serving.docs_dir, run_target=dbt_target_dir(warehouse.file)
        )
        display.phase("publish: docs", "dbt documentation", time.perf_counter() - started)
        started = time.perf_counter()
        published = copy.swap_in()
    exported = publish.switch_current_export(serving.export_root, version_id)
    docs = switch_docs(staged_docs, serving.docs_dir)
    size_mb = serving.file.stat().st_size / 2**20
    display.phase(
        "publish: copy",
        f"{size_mb:,.0f} MB to {serving.file}; copied while the export and the docs were "
        "written, then renamed (the time is what was left of it)",
        time.perf_counter() - started,
    )
    replaced = (
        f"; replaced an unreadable serving file, kept as {published.replaced_unreadable}"
        if published.replaced_unreadable
        else ""
    )
    context.log.info(
        f"published version {version_id} to {published.serving} (previous: {previous or 'none'}); "
        f"Parquet marts in {exported}; documentation in {docs}{replaced}"
    )
    return MaterializeResult(
        metadata={
            "version_id": version_id,
            "previous_version_id": previous or "",
            "serving_path": str(published.serving),
            "parquet_dir": str(exported),
            "docs": str(docs),
        }
    )


def serving_defs(dbt_models: AssetsDefinition) -> Definitions:
    """The publish asset, run after every mart of `dbt_models`."""
    marts = mart_keys(dbt_models)

    @asset(
        key=PUBLISHED_KEY,
        deps=marts,
        group_name="serving",
        pool="duckdb_writer",
        description=(
            "The serving warehouse analysts and BI tools read: a checked copy of the build "
            "warehouse, its marts exported to Parquet and its dbt documentation."
        ),
    )
    def published_warehouse(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        serving: ServingResource,
        landing: LandingResource,
    ) -> MaterializeResult:
        return publish_warehouse(context, warehouse, serving, landing, len(marts))

    return Definitions(assets=[published_warehouse])
