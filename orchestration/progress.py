"""What a person sees while `critmin run` works, and the complete log behind it.

A run shows one line per phase with its counts, wall time and peak memory (ingest per source,
dbt models, dbt tests, Great Expectations, publish: copy, Parquet export, docs), a progress bar
for the dbt build and the checks when the output is a terminal, and every warning and failure in
full. Everything else that dbt and Dagster print (dbt's START/PASS line per node, Dagster's
events) goes to the log file of the run only.

The steps of a run call `active()` for the display of the run they belong to. Outside a
`critmin run` session (the Dagster webserver, a daemon, a test) that is a display which writes
the phase lines to the Python logger `critmin.progress` and draws nothing.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

_LOG = logging.getLogger("critmin.progress")
# dbt's line for each node: "12 of 580 START sql table model marts.x ...",
# "12 of 580 OK created sql table model marts.x ...", "PASS", "WARN", "FAIL", "ERROR", "SKIP";
# with a time stamp first when dbt writes its own text log.
_DBT_NODE_LINE = re.compile(
    r"^\s*(?:\d\d:\d\d:\d\d\s+)?(\d+) of (\d+) (START|OK|PASS|WARN|FAIL|ERROR|SKIP)\b"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def child_peak_rss_mb() -> float:
    """The largest peak resident memory (MB) of the subprocesses this process has waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def peak_rss_mb(reset: bool = False) -> float:
    """This process's peak resident memory (MB) since the last reset (Linux `VmHWM`)."""
    peak = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    if reset:
        # "5" resets the peak resident set size of the process (Linux >= 4.0).
        with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    return peak


@dataclass
class Display:
    """Phase lines and warnings to `out` (and to the log); bars only when `out` is a terminal."""

    out: TextIO | None = None
    log: TextIO | None = None
    bars: bool = False
    # With `critmin run --verbose`, what goes to the log is printed to this stream too.
    verbose_out: TextIO | None = None
    gx_done: list[tuple[str, bool, int, int, int, float]] = field(default_factory=list)
    _bar_drawn: bool = field(default=False, repr=False)

    def _emit(self, text: str) -> None:
        self._clear_bar()
        if self.out is not None:
            self.out.write(text + "\n")
            self.out.flush()
        else:
            _LOG.info(text)
        _write_line(self.log, text)

    def write_log(self, text: str) -> None:
        _write_line(self.log, text)
        _write_line(self.verbose_out, text)

    def phase(self, name: str, detail: str, seconds: float, child_peak_mb: float = 0.0) -> None:
        """One finished phase: `name: detail (X s, peak Y MB)`. The peak is this process's since
        the previous phase line, or `child_peak_mb` (a subprocess's peak) when larger."""
        peak = max(peak_rss_mb(reset=True), child_peak_mb)
        self._emit(f"  {name:<22} {detail} ({seconds:.1f} s, peak {peak:,.0f} MB)")

    def line(self, name: str, detail: str) -> None:
        """A line of counts under a phase, without time or memory of its own."""
        self._emit(f"  {name:<22} {detail}")

    def gx_result(self, mart: str, outcome, mart_rows: int, seconds: float, total: int) -> None:
        """One Great Expectations suite validated; after the last of `total`, the phase line."""
        self.gx_done.append(
            (mart, outcome.success, outcome.evaluated, mart_rows, outcome.rows, seconds)
        )
        if not outcome.success:
            self.warn(
                f"  FAILED Great Expectations on marts.{mart}: " + "; ".join(outcome.failures)
            )
        self.bar("Great Expectations", len(self.gx_done), total)
        if len(self.gx_done) < total:
            return
        failed = sum(1 for done in self.gx_done if not done[1])
        self.phase(
            "Great Expectations",
            f"{total} suites, {sum(d[2] for d in self.gx_done)} expectations on "
            f"{sum(d[3] for d in self.gx_done):,} mart rows "
            f"({sum(d[4] for d in self.gx_done):,} deciding rows validated): "
            + (f"{failed} suite(s) FAILED" if failed else "all met"),
            sum(d[5] for d in self.gx_done),
        )
        self.gx_done.clear()

    def warn(self, text: str) -> None:
        """A warning or failure, in full."""
        self._emit(text)

    def bar(self, label: str, done: int, total: int) -> None:
        """Redraw the progress bar `label [####    ] done/total` (terminals only)."""
        if not self.bars or self.out is None or total <= 0:
            return
        width = 30
        filled = min(width, width * done // total)
        self.out.write(f"\r  {label:<22} [{'#' * filled}{' ' * (width - filled)}] {done}/{total}")
        self.out.flush()
        self._bar_drawn = True

    def _clear_bar(self) -> None:
        if self._bar_drawn and self.out is not None:
            self.out.write("\r\033[K")
            self._bar_drawn = False


_active: Display | None = None


def in_session() -> bool:
    """Whether a `critmin run` session is showing this process's steps."""
    return _active is not None


def run_log_path(log_dir: Path) -> Path:
    """The complete log of a run: `run-<UTC time>.log` in `log_dir` (`Settings.log_dir`, by
    default `logs/` beside the serving file). Everything the run writes to a log goes there."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return log_dir / f"run-{stamp}.log"


def active() -> Display:
    """The display of the running `critmin run`, or one that logs phase lines only."""
    return _active if _active is not None else Display()


def dbt_output() -> contextlib.AbstractContextManager[DbtOutput | None]:
    """Within a `critmin run` session, send what dbt prints to a `DbtOutput`; elsewhere leave
    it where it goes (the Dagster compute log)."""
    if _active is None:
        return contextlib.nullcontext(None)
    sink = DbtOutput(_active)
    return _redirect(sink)


@contextlib.contextmanager
def _redirect(sink: DbtOutput) -> Iterator[DbtOutput]:
    with contextlib.redirect_stdout(sink):  # type: ignore[type-var]
        yield sink


class DbtOutput:
    """A text stream for dbt's output during `dbt build`: every line goes to the log, each node's
    result moves the progress bar, and WARN/FAIL/ERROR lines are shown in full."""

    def __init__(self, display: Display, label: str = "dbt build") -> None:
        self.display = display
        self.label = label
        self.finished = 0
        self.total = 0
        self.problems: list[str] = []
        self._pending = ""
        self._in_summary = False

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._line(line)
        return len(text)

    def flush(self) -> None:
        pass

    def _line(self, raw: str) -> None:
        self.display.write_log(raw)
        line = _ANSI.sub("", raw).rstrip()
        # After "Completed with N errors/warnings", dbt details each one: show them in full.
        if line.startswith("Completed with"):
            self._in_summary = True
        if self._in_summary:
            if line.startswith("Done."):
                self._in_summary = False
            elif line.strip():
                self.display.warn(f"  dbt: {line}")
            return
        match = _DBT_NODE_LINE.match(line)
        if match is None:
            return
        self.total = int(match.group(2))
        status = match.group(3)
        if status != "START":
            self.finished += 1
            self.display.bar(self.label, self.finished, self.total)
        if status in ("WARN", "FAIL", "ERROR"):
            self.problems.append(line.strip())
            self.display.warn(f"  dbt: {line.strip()}")


def _write_line(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()


class _Tee(io.TextIOBase):
    """A text stream that writes to several: the run's log and, when verbose, the output."""

    def __init__(self, *streams: TextIO) -> None:
        self._streams = streams

    def write(self, text: str) -> int:
        for stream in self._streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


@contextlib.contextmanager
def session(log_path: Path, out: TextIO | None = None, verbose: bool = False) -> Iterator[Display]:
    """Make a display the active one for the steps of this process: phase lines to `out`
    (default: standard output), bars when it is a terminal, and everything else that is printed
    or logged in the meantime (dbt, Dagster, Python logging) to `log_path`, and to `out` as well
    when `verbose`."""
    global _active
    out = out if out is not None else sys.stdout
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log_file:
        log: TextIO = _Tee(log_file, out) if verbose else log_file
        display = Display(
            out=out,
            log=log_file,
            bars=out.isatty() and not verbose,
            verbose_out=out if verbose else None,
        )
        handler = logging.StreamHandler(log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        # Dagster's own loggers reach the log through the run's console logger already.
        handler.addFilter(lambda record: not record.name.startswith("dagster"))
        root = logging.getLogger()
        root.addHandler(handler)
        previous, _active = _active, display
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                yield display
        finally:
            display._clear_bar()
            _active = previous
            root.removeHandler(handler)
