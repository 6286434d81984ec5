"""When the warehouse is refreshed: a monthly schedule, a sensor on the landing directory, and a
clear report of failed runs.

DuckDB takes one writer at a time, so the job runs its steps one after another in one process
(the in-process executor), and every step that writes DuckDB is in the `duckdb_writer` pool
(set its limit to 1 in the Dagster instance's concurrency settings when several runs may start).
"""

from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    Definitions,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    run_failure_sensor,
    sensor,
)

from orchestration import landing_watch
from orchestration.resources import LandingResource, ServingResource

FULL_REFRESH_JOB = "critmin_full_refresh"
FAILURE_LOG = "run-failures.log"

full_refresh_job = define_asset_job(
    name=FULL_REFRESH_JOB,
    selection=AssetSelection.all() - AssetSelection.groups("download"),
    description=(
        "Ingest every landing source, build the dbt models, run every check and, when all pass, "
        "publish the serving warehouse."
    ),
    executor_def=in_process_executor,
)

monthly_refresh = ScheduleDefinition(
    name="critmin_monthly_refresh",
    job=full_refresh_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="UTC",
    description=(
        "Rebuild on the first of every month at 06:00 UTC: BACI and USGS publish once a year "
        "(BACI in the first quarter, USGS MCS in late January), Comtrade monthly."
    ),
)


@sensor(
    job=full_refresh_job,
    minimum_interval_seconds=120,
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Runs the refresh when a landing file is new or its checksum changed; ignores files "
        "still being written (modified in the last minute, or temporary names)."
    ),
)
def landing_directory_sensor(context: SensorEvaluationContext, landing: LandingResource):
    changes = landing_watch.scan(Path(landing.data_dir), context.cursor)
    context.update_cursor(changes.cursor)
    if not changes.changed:
        waiting = (
            f"; still being written: {', '.join(changes.unsettled)}" if changes.unsettled else ""
        )
        return SkipReason(f"no new or changed landing files{waiting}")
    return RunRequest(
        run_key=changes.run_key,
        tags={"critmin/changed_files": ", ".join(changes.changed)[:1000]},
    )


@run_failure_sensor(
    default_status=DefaultSensorStatus.RUNNING,
    description="Reports every failed run: which step failed and why, in the log and a file.",
)
def report_run_failure(context: RunFailureSensorContext, serving: ServingResource) -> None:
    failed_steps = [
        f"{event.step_key}: {event.message}" for event in context.get_step_failure_events()
    ]
    message = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC run {context.dagster_run.run_id} of "
        f"{context.dagster_run.job_name} failed: {context.failure_event.message}\n"
        + "".join(f"  {line}\n" for line in failed_steps)
        + f"  The serving warehouse {serving.file} was not changed.\n"
    )
    context.log.error(message)
    log_file = serving.file.parent / FAILURE_LOG
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(message)


defs = Definitions(
    jobs=[full_refresh_job],
    schedules=[monthly_refresh],
    sensors=[landing_directory_sensor, report_run_failure],
)
