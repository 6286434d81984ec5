"""critmin's Dagster definitions: one `Definitions` per domain, merged."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.console import concise_console_logger
from orchestration.defs import download, ingest, quality, schedules, serving, transform
from orchestration.resources import default_resources

defs = Definitions.merge(
    download.defs,
    ingest.defs,
    transform.defs,
    quality.defs,
    serving.defs,
    schedules.defs,
    Definitions(
        resources=default_resources(),
        executor=in_process_executor,
        loggers={"console": concise_console_logger},
    ),
)
