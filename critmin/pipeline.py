"""Run the full-refresh job in-process and summarise it for the command line."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from critmin.coverage import MineralCoverage, mineral_coverage
from ingest.landing import read_landing_info
from orchestration import dbt_server
from orchestration.settings import Settings
from warehouse import access, publish
from warehouse.paths import work_file

if TYPE_CHECKING:
    from orchestration.defs.quality import MartValidation

Echo = Callable[[str], None]


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    name: str
    passed: bool
    description: str
    # `ERROR` or `WARN`: a WARN check that does not pass is reported, it does not fail the run
    # (publishing is gated on ERROR checks only, see orchestration/defs/serving.py).
    severity: str = "ERROR"


@dataclass(frozen=True)
class PipelineOutcome:
    """What a run did: step success, every check's result and the rows per mart."""

    warehouse: Path
    data_dir: Path
    run_succeeded: bool
    failed_steps: tuple[str, ...]
    checks: tuple[CheckOutcome, ...]
    mart_rows: dict[str, int] = field(default_factory=dict)
    quarantined_rows: int = 0
    coverage: MineralCoverage = field(default_factory=MineralCoverage)
    published_version: str | None = None
    previous_version: str | None = None
    # What the run repaired before or while building (a damaged or interrupted build file set
    # aside, an unreadable serving file replaced), one sentence each.
    repairs: tuple[str, ...] = ()
    # The first line of each failed step's error; the full traces are in `log_file`.
    step_errors: dict[str, str] = field(default_factory=dict)
    log_file: Path | None = None

    @property
    def failed_checks(self) -> tuple[CheckOutcome, ...]:
        return tuple(c for c in self.checks if not c.passed and c.severity != "WARN")

    @property
    def warnings(self) -> tuple[CheckOutcome, ...]:
        """WARN-severity checks that did not pass (e.g. production sources > 10% apart)."""
        return tuple(c for c in self.checks if not c.passed and c.severity == "WARN")

    @property
    def published(self) -> bool:
        return self.published_version is not None and (
            self.published_version != self.previous_version
        )

    @property
    def success(self) -> bool:
        return self.run_succeeded and not self.failed_checks and self.published

    def summary(self, elapsed_s: float) -> str:
        lines = ["", "critmin run summary", f"  warehouse:   {self.warehouse} (serving copy)"]
        lines.append(f"  landing:     {self.data_dir}")
        info = read_landing_info(self.data_dir)
        if info.description:
            lines.append(f"  covers:      {info.description}")
        if info.lacks:
            lines.append(f"  lacks:       {info.lacks}")
        for repair in self.repairs:
            lines.append(f"  repaired:    {repair}")
        failed, warned = len(self.failed_checks), len(self.warnings)
        passed = len(self.checks) - failed - warned
        lines.append(f"  checks:      {passed} passed, {failed} failed, {warned} warning(s)")
        for check in self.failed_checks:
            lines.append(f"    FAILED {check.asset} {check.name}: {check.description}")
        for check in self.warnings:
            lines.append(f"    WARNING {check.asset} {check.name}: {check.description}")
        lines.append(f"  quarantined: {self.quarantined_rows} row(s) (see raw.quarantine)")
        lines.extend(self.coverage.summary_lines())
        if self.mart_rows:
            lines.append("  rows per mart:")
            width = max(len(name) for name in self.mart_rows)
            for name, rows in self.mart_rows.items():
                lines.append(f"    marts.{name.ljust(width)}  {rows:>9,}")
        for step in self.failed_steps:
            error = self.step_errors.get(step)
            lines.append(f"  FAILED step: {step}" + (f": {error}" if error else ""))
        if self.published:
            lines.append(f"  published:   version {self.published_version}")
        else:
            lines.append(
                f"  NOT published: the serving warehouse is unchanged "
                f"(version {self.previous_version or 'none: no run has been published yet'})"
            )
        status = "succeeded" if self.success else "FAILED"
        lines.append(f"  run {status} in {elapsed_s:.1f} s")
        if self.log_file is not None:
            lines.append(f"  full log:    {self.log_file}")
        if self.success:
            lines.append(
                '  query it:    critmin query "select * from marts.mart_import_dependency '
                "where importer_iso3 = 'IND' and mineral = 'rare_earths' order by year\""
            )
        else:
            lines.append(f"  what to do:  {self.advice()}")
        return "\n".join(lines)

    def advice(self) -> str:
        """One line saying what to do after a failed run."""
        errors = " ".join(self.step_errors.values())
        # A step's own error may only say that dbt failed; what dbt hit is in the run's log.
        if _is_disk_full(errors) or _is_disk_full(_log_tail(self.log_file)):
            return _disk_full_advice(self.warehouse)
        if self.failed_steps:
            where = f" (full trace in {self.log_file})" if self.log_file else ""
            return (
                f"fix what the failed step reports{where}, then run `critmin run` again; "
                "analysts keep reading the serving warehouse meanwhile"
            )
        if self.failed_checks:
            return (
                "correct the landing files the failed checks point at (rejected rows are in "
                "raw.quarantine of the build file), then run `critmin run` again"
            )
        return "run `critmin run` again"


def _log_tail(log_file: Path | None, size: int = 1 << 20) -> str:
    """The last `size` bytes of the run's log ('' when there is none)."""
    if log_file is None or not log_file.is_file():
        return ""
    with log_file.open("rb") as handle:
        handle.seek(max(0, log_file.stat().st_size - size))
        return handle.read().decode("utf-8", errors="replace")


def _disk_full_advice(warehouse: Path) -> str:
    return (
        f"free disk space where {warehouse.parent} lives (or raise the file size limit), "
        "then run `critmin run` again"
    )


def _is_disk_full(text: str) -> bool:
    text = text.lower()
    return "no space left" in text or "file too large" in text or "disk full" in text


def failure_summary(
    warehouse: Path, data_dir: Path, what: str, log_file: Path | None, elapsed_s: float
) -> str:
    """The run summary of a run that ended before it could report its steps: interrupted, or
    stopped by an error outside them. Nothing was published (publishing is its last step)."""
    try:
        version = publish.serving_version(warehouse)
    except Exception:  # noqa: BLE001 - the summary must print whatever the serving file is
        version = None
    lines = ["", "critmin run summary", f"  warehouse:   {warehouse} (serving copy)"]
    lines.append(f"  landing:     {data_dir}")
    lines.append(f"  FAILED:      {what}")
    lines.append(
        "  NOT published: the serving warehouse is unchanged "
        f"(version {version or 'none: no run has been published yet'})"
    )
    lines.append(f"  run FAILED in {elapsed_s:.1f} s")
    if log_file is not None:
        lines.append(f"  full log:    {log_file}")
    if _is_disk_full(what):
        advice = _disk_full_advice(warehouse)
    else:
        advice = (
            "run `critmin run` again: it sets aside the interrupted build and rebuilds from "
            "the landing files"
        )
    lines.append(f"  what to do:  {advice}")
    return "\n".join(lines)


def append_to_log(log_file: Path, text: str) -> bool:
    """Add full traces (of the failed steps, or of what stopped the run) to the run's complete
    log; False when even that cannot be written, e.g. on a full disk: the summary still says
    what failed."""
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{text}\n")
    except OSError:
        return False
    return True


def exception_report(error: BaseException) -> str:
    """The full trace of an exception, for the run log."""
    return "".join(traceback.format_exception(error))


def _failed_rows(metadata: dict) -> str:
    """A dbt test's check carries no description, only its failing row count."""
    count = metadata.get("dagster_dbt/failed_row_count")
    return "" if count is None else f"{getattr(count, 'value', count)} row(s) fail the dbt test"


def run_pipeline(
    settings: Settings,
    echo: Echo = print,
    verbose: bool = False,
    log_file: Path | None = None,
    validations: Sequence[MartValidation] | None = None,
) -> PipelineOutcome:
    """Build from the landing directory of `settings` and publish to its serving file.

    The run writes the build file of `settings`; the serving file is replaced only when every
    check passed. Everything dbt and Dagster print goes to `log_file` (default: a new
    `logs/run-<UTC time>.log` in the settings' log folder), announced as the complete log.
    `validations` replaces the Great Expectations suites the marts are checked with (default:
    `quality.MART_VALIDATIONS`).
    """
    if log_file is None:
        from orchestration import progress

        log_file = progress.run_log_path(settings.log_dir)
    build = settings.build_warehouse
    build.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(build):
        return _run_locked(settings, echo, verbose, log_file, validations)


class BuildBusyError(RuntimeError):
    """Another run is building the same warehouse."""


@contextmanager
def _build_lock(build: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<build>.lock` for the whole run: two runs building the same
    warehouse would otherwise write one build file in turns."""
    lock_path = build.with_name(f"{build.name}.lock")
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BuildBusyError(
                f"another run is building {build} (lock {lock_path}); wait for it to finish"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_marker(build: Path) -> Path:
    """The file a run writes when it starts building and removes when it ends cleanly: a run
    that finds it knows the last run was killed or interrupted, and which file it was writing."""
    return build.with_name(f"{build.name}.running")


def heal_build(build: Path) -> list[str]:
    """Make `build` fit to build on: the build file is scratch, rebuilt from the landing files.

    A run writes the build file under the name `<name>.run` (`work_file`), renamed back to
    `build` when the run ends cleanly. The file an interrupted run was writing (its marker is
    still there) is set aside as `<name>.interrupted`; a build file DuckDB cannot open as
    `<name>.broken` (only the last of each is kept). Returns one sentence per file set aside."""
    repairs = []
    marker = run_marker(build)
    if marker.exists():
        lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
        written = build.with_name(lines[0].strip()) if lines else None
        started = lines[1].strip() if len(lines) > 1 else "unknown"
        if written is not None and written.name.startswith(f"{build.name}.run"):
            if written.exists():
                kept = publish.set_aside(written, build.with_name(f"{build.name}.interrupted"))
                repairs.append(
                    f"the build file was left by an interrupted run ({started}); kept it as "
                    f"{kept.name} and rebuilt from the landing files"
                )
        marker.unlink()
    # What a killed run left beside the file it was writing (its write-ahead log, DuckDB's
    # temporary folder), and the files of older versions, which named each run's file
    # `<name>.run-<stamp>-<pid>`: nothing reads them.
    work = work_file(build)
    for stale in [work, *build.parent.glob(f"{build.name}.run-*")]:
        stale.unlink(missing_ok=True)
    work.with_name(f"{work.name}.wal").unlink(missing_ok=True)
    shutil.rmtree(work.with_name(f"{work.name}.tmp"), ignore_errors=True)
    if build.exists():
        problem = build_problem(build)
        if problem is not None:
            kept = publish.set_aside(build, build.with_name(f"{build.name}.broken"))
            repairs.append(
                f"the build file could not be opened ({problem}); kept it as {kept.name} and "
                "rebuilt from the landing files"
            )
    return repairs


def build_problem(build: Path) -> str | None:
    """Why DuckDB cannot open and read the catalog of `build`, or None when it can."""
    return access.open_problem(build, writable=True)


def _move_with_wal(source: Path, target: Path) -> None:
    if source.exists():
        os.replace(source, target)
    wal = source.with_name(f"{source.name}.wal")
    if wal.exists():
        os.replace(wal, target.with_name(f"{target.name}.wal"))


def _run_locked(
    settings: Settings,
    echo: Echo,
    verbose: bool,
    log_file: Path,
    validations: Sequence[MartValidation] | None,
) -> PipelineOutcome:
    warehouse, build = settings.serving_warehouse, settings.build_warehouse
    repairs = heal_build(build)
    for repair in repairs:
        echo(f"critmin: {repair}")
    serving_problem = publish.serving_problem(warehouse)
    if serving_problem is not None:
        echo(
            f"critmin: the serving warehouse {warehouse} cannot be read ({serving_problem}); "
            "this run replaces it when its checks pass, keeping it as "
            f"{warehouse.name}.broken"
        )
    previous_version = publish.serving_version(warehouse)
    started = datetime.now(UTC)
    work = work_file(build)
    marker = run_marker(build)
    marker.write_text(f"{work.name}\npid {os.getpid()}, started {started:%Y-%m-%d %H:%M:%S} UTC\n")
    _move_with_wal(build, work)
    outcome = _execute(
        settings.building(work), echo, previous_version, verbose, log_file, validations
    )
    # A clean end, whatever the checks said: the build file is whole.
    _move_with_wal(work, build)
    marker.unlink(missing_ok=True)
    if serving_problem is not None and outcome.published:
        repairs.append(
            f"replaced the unreadable serving file ({serving_problem}); kept it as "
            f"{warehouse.name}.broken"
        )
    return _with(outcome, repairs=tuple(repairs))


def _with(outcome: PipelineOutcome, **changes: object) -> PipelineOutcome:
    from dataclasses import replace

    return replace(outcome, **changes)


def _execute(
    settings: Settings,
    echo: Echo,
    previous_version: str | None,
    verbose: bool,
    log_file: Path,
    validations: Sequence[MartValidation] | None,
) -> PipelineOutcome:
    """Run the full-refresh job on `settings` (whose build file is the run's own copy)."""
    from orchestration import progress

    warehouse, build, data_dir = (
        settings.serving_warehouse,
        settings.build_warehouse,
        settings.landing_dir,
    )
    started = time.perf_counter()
    on = " (dbt on Spark)" if settings.engine == "spark" else ""
    echo(f"critmin: building {warehouse} from {data_dir}{on}")
    echo(f"  complete log: {log_file}")
    # What loading prints (library warnings, dbt parse) goes to the log as well.
    with (
        progress.session(log_file, verbose=verbose) as display,
        # Started first: dbt's imports happen in it while Dagster starts (`dbt_server`).
        dbt_server.serving() if settings.engine != "spark" else contextlib.nullcontext(),
    ):
        from dagster import DagsterInstance

        from orchestration.console import error_summary
        from orchestration.definitions import build_defs
        from orchestration.defs.schedules import FULL_REFRESH_JOB, refresh_request

        # Dagster keeps the current instance's definitions state in a context variable, which
        # an instance entered and never exited earlier in this process (a scheduler's or a
        # test's evaluation context) sets back to its own, long gone, when the garbage collector
        # finalizes it: collected now, before this run's instance is entered, not in its block.
        gc.collect()
        with DagsterInstance.ephemeral() as instance:
            # Resolved inside the instance's block: Dagster reads its definitions state through
            # the current instance, and one left current by an earlier, gone instance in the
            # same process (a scheduler's or a test's) fails the resolution.
            job = build_defs(settings, validations).resolve_job_def(FULL_REFRESH_JOB)
            display.phase(
                "start-up",
                "Dagster and the dbt manifest (Great Expectations loads with the checks)",
                time.perf_counter() - started,
            )
            # Every landed trade year is one partition of raw/baci_trade; all load in this run.
            request = refresh_request(
                instance, data_dir, list(job.asset_layer.executable_asset_keys)
            )
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags=request.tags,
                asset_selection=request.asset_selection,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            )
    failures = [event for event in result.all_events if event.is_step_failure]
    failed_steps = tuple(event.step_key or "?" for event in failures)
    step_errors = {}
    reports = []
    for event in failures:
        error = event.step_failure_data.error if event.step_failure_data else None
        if error is not None:
            step_errors[event.step_key or "?"] = error_summary(error)
            reports.append(f"step {event.step_key} failed:\n{error.to_string()}")
    if reports:
        append_to_log(log_file, "\n".join(reports))
    checks = tuple(
        CheckOutcome(
            asset="/".join(evaluation.asset_key.path),
            name=evaluation.check_name,
            passed=evaluation.passed,
            description=evaluation.description or _failed_rows(evaluation.metadata),
            severity=evaluation.severity.value,
        )
        for evaluation in result.get_asset_check_evaluations()
    )
    # Rows and quarantine as built by this run, whether or not it was published.
    mart_rows: dict[str, int] = {}
    quarantined = 0
    coverage = MineralCoverage()
    if build.exists():
        with access.reader(build) as con:
            mart_rows = access.table_row_counts(con, "marts")
            quarantined = con.execute("select count(*) from raw.quarantine").fetchone()[0]
            coverage = mineral_coverage(con)
    return PipelineOutcome(
        warehouse=warehouse,
        data_dir=data_dir,
        run_succeeded=result.success,
        failed_steps=failed_steps,
        checks=checks,
        mart_rows=mart_rows,
        quarantined_rows=quarantined,
        coverage=coverage,
        published_version=publish.serving_version(warehouse),
        previous_version=previous_version,
        step_errors=step_errors,
        log_file=log_file,
    )
