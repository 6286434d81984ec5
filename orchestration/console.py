"""A concise console logger for runs: one short line per step and per message an asset logs.

Within `critmin run` its lines go to the run's log file, and failures also to the display."""

import logging
import sys

from dagster import Field, InitLoggerContext, logger
from dagster._utils.error import SerializableErrorInfo

from orchestration import progress

_SHOWN_EVENTS = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "ASSET_CHECK_EVALUATION"}


class _ConciseFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or "run"
        message = meta.get("orig_message", record.getMessage())
        stamp = self.formatTime(record, "%H:%M:%S")
        if event is not None:
            label = event.event_type_value.replace("_", " ").lower()
            message = f"{label}: {message}" if message else label
            error = getattr(event, "step_failure_data", None)
            if error is not None and error.error is not None:
                # One line; `critmin run` writes the full trace to its run log.
                message += f": {error_summary(error.error)}"
        return f"{stamp} [{step}] {message}"


def error_summary(error: SerializableErrorInfo) -> str:
    """The first line of the innermost cause of a step's error, without the module path of the
    exception class: what went wrong, without the stack."""
    while error.cause is not None:
        error = error.cause
    lines = error.message.strip().splitlines()
    first = lines[0] if lines else (error.cls_name or "error")
    head, sep, rest = first.partition(": ")
    if sep and " " not in head:
        first = f"{head.rsplit('.', 1)[-1]}: {rest}"
    return first


class _ToDisplay(logging.Handler):
    """Within `critmin run`, warnings, errors, failed steps and failed checks are also shown on
    the run's display, in full but without stack traces (the handler above writes everything,
    traces included, to the run's log)."""

    def emit(self, record: logging.LogRecord) -> None:
        if not progress.in_session():
            return
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING:
                message = meta.get("orig_message", record.getMessage())
                where = f" [{meta['step_key']}]" if meta.get("step_key") else ""
                progress.active().warn(f"  {record.levelname}{where}: {message}")
            return
        kind = event.event_type_value
        data = getattr(event, "event_specific_data", None)
        step = meta.get("step_key") or "run"
        if kind == "STEP_FAILURE":
            error = getattr(getattr(event, "step_failure_data", None), "error", None)
            # The innermost cause is the exception the step raised; Dagster wraps it.
            while error is not None and error.cause is not None:
                error = error.cause
            message = error.message.strip() if error is not None else record.getMessage()
            progress.active().warn(f"  FAILED step {step}: {message}")
        elif kind == "ASSET_CHECK_EVALUATION" and not getattr(data, "passed", True):
            progress.active().warn(f"  check not passed [{step}]: {meta.get('orig_message', '')}")
        elif record.levelno >= logging.WARNING:
            progress.active().warn(f"  {record.levelname} [{step}]: {record.getMessage()}")


class _RelevantRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if progress.in_session():
            return True  # the run's log file keeps every event
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        return event is None or event.event_type_value in _SHOWN_EVENTS


@logger(
    config_schema={"log_level": Field(str, is_required=False, default_value="INFO")},
    description="Short progress lines on standard error: steps, checks and asset messages.",
)
def concise_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.Logger("critmin", level=init_context.logger_config["log_level"])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ConciseFormatter())
    handler.addFilter(_RelevantRecords())
    log.addHandler(handler)
    log.addHandler(_ToDisplay())
    return log
