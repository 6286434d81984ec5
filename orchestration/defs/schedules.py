"""The job that materialises everything, and its schedule.

DuckDB takes one writer at a time, so the job runs its steps one after another in one process
(the in-process executor); the ingest and dbt assets also share the `duckdb_writer` pool.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

FULL_REFRESH_JOB = "critmin_full_refresh"

full_refresh_job = define_asset_job(
    name=FULL_REFRESH_JOB,
    selection=AssetSelection.all(),
    description="Ingest every landing source, build the dbt models and run every check.",
    executor_def=in_process_executor,
)

monthly_refresh = ScheduleDefinition(
    name="critmin_monthly_refresh",
    job=full_refresh_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="UTC",
    description="Rebuild the warehouse on the first of every month at 06:00 UTC.",
)

defs = Definitions(jobs=[full_refresh_job], schedules=[monthly_refresh])
