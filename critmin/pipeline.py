"""Run the full-refresh job in-process and summarise it for the command line."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from warehouse import access, publish
from warehouse.paths import BUILD_WAREHOUSE_ENV, DATA_DIR_ENV, WAREHOUSE_ENV, build_path

Echo = Callable[[str], None]


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    name: str
    passed: bool
    description: str


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
    published_version: str | None = None
    previous_version: str | None = None
    log_file: Path | None = None

    @property
    def failed_checks(self) -> tuple[CheckOutcome, ...]:
        return tuple(c for c in self.checks if not c.passed)

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
        passed = len(self.checks) - len(self.failed_checks)
        lines.append(f"  checks:      {passed} passed, {len(self.failed_checks)} failed")
        for check in self.failed_checks:
            lines.append(f"    FAILED {check.asset} {check.name}: {check.description}")
        lines.append(f"  quarantined: {self.quarantined_rows} row(s) (see raw.quarantine)")
        if self.mart_rows:
            lines.append("  rows per mart:")
            width = max(len(name) for name in self.mart_rows)
            for name, rows in self.mart_rows.items():
                lines.append(f"    marts.{name.ljust(width)}  {rows:>9,}")
        for step in self.failed_steps:
            lines.append(f"  FAILED step: {step}")
        if self.published:
            lines.append(f"  published:   version {self.published_version}")
        else:
            lines.append(
                f"  NOT published: the serving warehouse is unchanged "
                f"(version {self.previous_version or 'none: no run has been published yet'})"
            )
        if self.log_file is not None:
            lines.append(f"  full log:    {self.log_file}")
        status = "succeeded" if self.success else "FAILED"
        lines.append(f"  run {status} in {elapsed_s:.1f} s")
        if self.success:
            lines.append(
                '  query it:    critmin query "select * from marts.mart_import_dependency '
                "where importer_iso3 = 'IND' and mineral = 'rare_earths' order by year\""
            )
        return "\n".join(lines)


def run_pipeline(data_dir: Path, warehouse: Path, echo: Echo = print) -> PipelineOutcome:
    """Build from the landing directory `data_dir` and publish to the serving file `warehouse`.

    The run writes the build file beside it (`warehouse.paths.build_path`); the serving file is
    replaced only when every check passed. The paths reach the Dagster resources and the dbt
    profile through the environment variables they read when a run starts.
    """
    build = build_path(warehouse)
    build.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(build):
        return _run_locked(data_dir, warehouse, build, echo)


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


def _run_locked(data_dir: Path, warehouse: Path, build: Path, echo: Echo) -> PipelineOutcome:
    os.environ[DATA_DIR_ENV] = str(data_dir)
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    os.environ[BUILD_WAREHOUSE_ENV] = str(build)
    previous_version = publish.serving_version(warehouse)
    started = time.perf_counter()
    from orchestration import progress

    log_file = progress.run_log_path(warehouse)
    echo(f"critmin: building {warehouse} from {data_dir}")
    echo(f"  complete log: {log_file}")
    with progress.session(log_file):  # what loading prints (library warnings) goes to the log
        from dagster import DagsterInstance

        from orchestration.definitions import defs
        from orchestration.defs.schedules import FULL_REFRESH_JOB, refresh_request

    job = defs.resolve_job_def(FULL_REFRESH_JOB)
    with progress.session(log_file) as display, DagsterInstance.ephemeral() as instance:
        display.phase(
            "start-up", "Dagster, dbt manifest, Great Expectations", time.perf_counter() - started
        )
        # Every landed trade year is one partition of raw/baci_trade; all load in this run.
        request = refresh_request(instance, data_dir, list(job.asset_layer.executable_asset_keys))
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=request.tags,
            asset_selection=request.asset_selection,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    failed_steps = tuple(
        event.step_key or "?" for event in result.all_events if event.is_step_failure
    )
    checks = tuple(
        CheckOutcome(
            asset="/".join(evaluation.asset_key.path),
            name=evaluation.check_name,
            passed=evaluation.passed,
            description=evaluation.description or "",
        )
        for evaluation in result.get_asset_check_evaluations()
    )
    # Rows and quarantine as built by this run, whether or not it was published.
    mart_rows: dict[str, int] = {}
    quarantined = 0
    if build.exists():
        with access.reader(build) as con:
            mart_rows = access.table_row_counts(con, "marts")
            quarantined = con.execute("select count(*) from raw.quarantine").fetchone()[0]
    return PipelineOutcome(
        warehouse=warehouse,
        data_dir=data_dir,
        run_succeeded=result.success,
        failed_steps=failed_steps,
        checks=checks,
        mart_rows=mart_rows,
        quarantined_rows=quarantined,
        published_version=publish.serving_version(warehouse),
        previous_version=previous_version,
        log_file=log_file,
    )
