"""A concise console logger for runs: one short line per step and per message an asset logs."""

import logging
import sys

from dagster import Field, InitLoggerContext, logger
from dagster._utils.error import SerializableErrorInfo

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


class _RelevantRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
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
    return log
