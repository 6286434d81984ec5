"""When the warehouse is refreshed: a monthly schedule, a sensor on the landing directory, and a
clear report of failed runs.

DuckDB takes one writer at a time, so the job runs its steps one after another in one process
(the in-process executor), and every step that writes DuckDB is in the `duckdb_writer` pool,
which the instance settings (`orchestration/dagster.yaml`) limit to one step at a time.

BACI trade is partitioned by year (`baci_year`): the schedule loads every landed year in one run,
the sensor only the years whose files are new or changed.
"""

from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DefaultSensorStatus,
    Definitions,
    RepositoryDefinition,
    RunFailureSensorContext,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    run_failure_sensor,
    schedule,
    sensor,
)

from ingest import baci
from orchestration import landing_watch
from orchestration.console import error_summary
from orchestration.defs import ingest
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


def refresh_request(
    instance: DagsterInstance,
    landing_dir: Path,
    job_keys: list[AssetKey],
    trade_years: list[str] | None = None,
    **kwargs,
) -> RunRequest:
    """A refresh run of the BACI years `trade_years` (None: every landed year) and everything
    else. With no trade year to load, the run leaves raw/baci_trade out."""
    landed = ingest.register_trade_years(instance, landing_dir)
    years = landed if trade_years is None else trade_years
    if years:
        return RunRequest(
            tags={**kwargs.pop("tags", {}), **ingest.trade_year_range_tags(years)}, **kwargs
        )
    others = [key for key in job_keys if key != ingest.TRADE_KEY]
    return RunRequest(asset_selection=others, **kwargs)


def full_refresh_keys(repository: RepositoryDefinition) -> list[AssetKey]:
    """The assets of the full-refresh job in the definitions a schedule or sensor belongs to."""
    return list(repository.get_job(FULL_REFRESH_JOB).asset_layer.executable_asset_keys)


@schedule(
    name="critmin_monthly_refresh",
    job=full_refresh_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="UTC",
    description=(
        "Rebuild on the first of every month at 06:00 UTC: BACI and USGS publish once a year "
        "(BACI in the first quarter, USGS MCS in late January), Comtrade monthly."
    ),
)
def monthly_refresh(context: ScheduleEvaluationContext, landing: LandingResource) -> RunRequest:
    return refresh_request(
        context.instance, Path(landing.data_dir), full_refresh_keys(context.repository_def)
    )


def changed_trade_years(changed: tuple[str, ...]) -> list[str]:
    """The BACI years whose trade files are among the changed landing paths."""
    years = set()
    for path in changed:
        name = Path(path).name
        if path.startswith(f"{ingest.BACI_FOLDER}/") and baci.TRADE_FILE.match(name):
            year = baci.year_from_trade_name(name)
            if year is not None:
                years.add(str(year))
    return sorted(years)


@sensor(
    job=full_refresh_job,
    minimum_interval_seconds=120,
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Runs the refresh when a landing file is new or its checksum changed, loading only the "
        "BACI years whose files changed; ignores files still being written (modified in the "
        "last minute, or temporary names)."
    ),
)
def landing_directory_sensor(context: SensorEvaluationContext, landing: LandingResource):
    landing_dir = Path(landing.data_dir)
    changes = landing_watch.scan(landing_dir, context.cursor)
    context.update_cursor(changes.cursor)
    if not changes.changed:
        waiting = (
            f"; still being written: {', '.join(changes.unsettled)}" if changes.unsettled else ""
        )
        return SkipReason(f"no new or changed landing files{waiting}")
    return refresh_request(
        context.instance,
        landing_dir,
        full_refresh_keys(context.repository_def),
        trade_years=changed_trade_years(changes.changed),
        run_key=changes.run_key,
        tags={"critmin/changed_files": ", ".join(changes.changed)[:1000]},
    )


@run_failure_sensor(
    default_status=DefaultSensorStatus.RUNNING,
    description="Reports every failed run: which step failed and why, in the log and a file.",
)
def report_run_failure(context: RunFailureSensorContext, serving: ServingResource) -> None:
    """Append what failed and what to do to `run-failures.log` beside the serving file; the full
    traces go to `logs/run-<run id>.log` there, whose path the entry names."""
    failures = context.get_step_failure_events()
    failed_steps = []
    traces = []
    for event in failures:
        error = event.step_failure_data.error if event.step_failure_data else None
        failed_steps.append(
            f"{event.step_key}: {error_summary(error) if error is not None else event.message}"
        )
        if error is not None:
            traces.append(f"step {event.step_key} failed:\n{error.to_string()}")
    run_id = context.dagster_run.run_id
    trace_file = serving.logs / f"run-{run_id}.log"
    trace_note = ""
    if traces:
        try:
            trace_file.parent.mkdir(parents=True, exist_ok=True)
            trace_file.write_text("\n".join(traces), encoding="utf-8")
            trace_note = f"  Full trace: {trace_file}\n"
        except OSError as error:
            trace_note = f"  (the full trace could not be written to {trace_file}: {error})\n"
    message = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC run {run_id} of "
        f"{context.dagster_run.job_name} failed: {context.failure_event.message}\n"
        + "".join(f"  {line}\n" for line in failed_steps)
        + f"  The serving warehouse {serving.file} was not changed.\n"
        + trace_note
        + "  What to do: fix what the failed step reports, then start the job again (or "
        "`critmin run`); a damaged build file is set aside and rebuilt by `critmin run`.\n"
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
