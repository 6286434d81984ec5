"""Fault injection: every fault leaves the serving warehouse intact and the next run green.

Each case runs the real `critmin run` command in its own process on the tiny landing directory
of tests/landing_fixtures.py and injects one fault: `kill -9` at each phase of the run (the
moment is chosen by reading the run's own progress lines from its output pipe, never by
waiting), SIGTERM as a scheduler sends it, a full disk (RLIMIT_FSIZE in the child), a landing
file rewritten while the run reads it, a truncated BACI zip, a corrupted build file and a
corrupted serving file. After each: the serving version and its mart totals are those of the
baseline, and every landing row is accounted for (raw.load_log: rows in = loaded + quarantined
+ out of scope, and the quarantine holds the rejected rows).

A full run takes minutes on a busy 2-core machine, so the cases form one sequence on one copy of
a published baseline warehouse (the session's shared tiny run, tests/e2e/conftest.py, copied
once for the module): each killed run is followed by the next case's run, which must get past
the stale lock file and the build file the kill left behind, and the last case is the run that
must end green with nothing touched by hand. Each case also works on
its own (`-k`), from a fresh copy of the baseline.

Hand-computed totals of the tiny landing directory (BACI values are in thousand USD): the five
critical-mineral flows into India and the USA are 600 + 300 + 100 + 300 + 50 = 1,350 thousand
USD, so `marts.fct_trade_flows` has 5 rows and 1,350,000 USD; the rewritten BACI file adds
Australia -> India compounds, 1 thousand USD: 6 rows and 1,351,000 USD. Of the BACI file's 7
data rows, 5 are loaded, 1 (HS 010121, horses) is out of scope and 1 (exporter 999) quarantined.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
from bulk_server import BulkServer, Resource, build_zip
from landing_fixtures import BACI_ROWS
from repo_paths import REPO

from critmin.pipeline import run_marker
from warehouse.paths import build_path

if TYPE_CHECKING:  # the shared runs (tests/e2e/conftest.py)
    from conftest import Run

pytestmark = pytest.mark.faults

TRADE_FILE = Path("baci") / "BACI_HS17_Y2023_V202501.csv"
EXTRA_ROW = "2023,36,699,284690,1.000,1.000"  # Australia -> India, compounds
# Progress lines that mark each phase of a run.
INGEST_LINE = re.compile(r"\[(ingest_\w+|raw__baci_trade)\]")
DBT_LINE = re.compile(r"Running dbt command")
DBT_MODEL_LINE = re.compile(r" START sql (view|table) model ")
DBT_TEST_LINE = re.compile(r" START test ")
PUBLISH_LINE = re.compile(r"\[serving__warehouse\] publishing version ")
RUN_TIMEOUT_S = 900


@dataclass
class Ended:
    returncode: int | None
    output: str
    fault_line: str | None

    def assert_ended_with_a_summary(self) -> None:
        """A run that ended on its own (not killed) ends with the summary and advice, and the
        summary shows no traceback (the runs here are --verbose, so the log's lines, traces
        included, are printed before it; tests/test_serving.py checks a plain run shows none)."""
        assert "critmin run summary" in self.output, self.output[-3000:]
        summary = self.output[self.output.rindex("critmin run summary") :]
        assert "Traceback" not in summary, self.output[-3000:]
        if self.returncode != 0:
            assert "  what to do:  " in self.output
            assert "NOT published: the serving warehouse is unchanged" in self.output


_GROUPS: list[int] = []


@pytest.fixture(scope="module", autouse=True)
def _reap_process_groups() -> Iterator[None]:
    """At the end, stop what killed runs left running (their dbt processes, if any). They are
    left alone until then: the next run must cope with them, as it would in production."""
    yield
    while _GROUPS:
        _stop_group(_GROUPS.pop())


def _stop_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def critmin(
    args: list[str],
    on_line: Callable[[str, subprocess.Popen], bool] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Ended:
    """Run `critmin ARGS` in a new process group, reading its output line by line. `on_line`
    sees each line and returns True when it injected a fault that ends the run (a kill): the
    output is then no longer read, and the process is reaped."""
    # A killed run's orphans (a dbt process) stay while the next run starts, as they would in
    # production; older ones are stopped so that they do not slow the cases down.
    while len(_GROUPS) > 1:
        _stop_group(_GROUPS.pop(0))
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    env.pop("CRITMIN_EXPORT_DIR", None)
    env.pop("CRITMIN_BUILD_WAREHOUSE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "critmin.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        env=env,
        cwd=REPO,
        start_new_session=True,
        preexec_fn=preexec_fn,
    )
    _GROUPS.append(proc.pid)
    lines: list[str] = []
    fault_line = None
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if on_line is not None and fault_line is None and on_line(line, proc):
            fault_line = line
            break
    returncode = proc.wait(timeout=RUN_TIMEOUT_S)
    # After a kill, orphaned children may still hold the pipe: stop reading it.
    proc.stdout.close()
    return Ended(returncode, "".join(lines), fault_line)


def run_args(landing: Path, serving: Path) -> list[str]:
    # --verbose: the run prints what dbt and Dagster log, so each phase can be told by its lines.
    return ["run", "--data-dir", str(landing), "--warehouse", str(serving), "--verbose"]


def kill_when(pattern: re.Pattern[str], sig: int = signal.SIGKILL) -> Callable:
    """Send `sig` to the run (its main process only, as `kill` does) at the first line that
    matches `pattern`."""
    sent = False

    def on_line(line: str, proc: subprocess.Popen) -> bool:
        nonlocal sent
        if not sent and pattern.search(line):
            proc.send_signal(sig)
            sent = True
            return sig == signal.SIGKILL
        return False

    return on_line


# --- what is checked after every fault -------------------------------------------------------


def serving_state(serving: Path) -> tuple[str, dict[str, tuple[int, int | None]]]:
    """The serving version and, per mart, its row count and a hash of its rows."""
    with duckdb.connect(str(serving), read_only=True) as con:
        version = con.execute("select version_id from meta.warehouse_version").fetchone()[0]
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        totals = {}
        for mart in marts:
            rows, digest = con.execute(
                f'select count(*), sum(hash(t)) from marts."{mart}" as t'
            ).fetchone()
            totals[mart] = (rows, None if digest is None else int(digest))
    return version, totals


def trade_totals(database: Path) -> tuple[int, float]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select count(*), sum(value_usd) from marts.fct_trade_flows").fetchone()


def assert_rows_accounted(database: Path) -> dict[str, tuple]:
    """Every landing row of the latest load of each file is loaded, quarantined or out of
    scope, and the quarantine holds exactly the rejected rows of each file. Returns the latest
    load log line by file."""
    with duckdb.connect(str(database), read_only=True) as con:
        # The load log keeps every load of a build file; the raw tables and the quarantine
        # hold the latest load of each file.
        log = con.execute(
            "select source_file, checksum_sha256, rows_in, rows_loaded, rows_rejected, "
            "rows_out_of_scope from raw.load_log qualify row_number() over ("
            "partition by source, source_file order by loaded_at desc) = 1 order by source_file"
        ).fetchall()
        quarantined = dict(
            con.execute(
                "select source_file, count(*) from raw.quarantine group by source_file"
            ).fetchall()
        )
    assert log, "the load log is empty"
    for name, _, rows_in, loaded, rejected, out_of_scope in log:
        assert rows_in == loaded + rejected + out_of_scope, name
        assert quarantined.get(name, 0) == rejected, name
    assert sum(quarantined.values()) == sum(row[4] for row in log)
    return {row[0]: row[1:] for row in log}


def assert_serving_unchanged(serving: Path, baseline: Baseline) -> None:
    assert serving_state(serving) == (baseline.version, baseline.totals)
    assert trade_totals(serving) == (5, 1_350_000.0)
    log = assert_rows_accounted(serving)
    assert log[TRADE_FILE.name][1:] == (7, 5, 1, 1)


# --- the baseline and the case directory -----------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    root: Path
    version: str
    totals: dict[str, tuple[int, int | None]]


@dataclass
class Case:
    landing: Path
    serving: Path

    @property
    def build(self) -> Path:
        return build_path(self.serving)

    def run(self, on_line: Callable | None = None, preexec_fn: Callable | None = None) -> Ended:
        return critmin(run_args(self.landing, self.serving), on_line, preexec_fn)


@pytest.fixture(scope="module")
def baseline(tiny_run: Run) -> Baseline:
    """One published warehouse built from the tiny landing directory by a green run: the
    session's (tests/e2e/conftest.py), which the cases never touch (they work on a copy)."""
    version, totals = serving_state(tiny_run.serving)
    return Baseline(root=tiny_run.root, version=version, totals=totals)


@pytest.fixture(scope="module")
def sequence(baseline: Baseline, tmp_path_factory: pytest.TempPathFactory) -> Case:
    """A copy of the baseline that the cases below work on, one after another."""
    root = tmp_path_factory.mktemp("faults")
    shutil.copytree(baseline.root, root, symlinks=True, dirs_exist_ok=True)
    return Case(landing=root / "landing", serving=root / "warehouse" / "critmin.duckdb")


# --- kill -9 at each phase, SIGTERM, disk full -----------------------------------------------


def test_kill_9_while_ingesting_leaves_the_serving_warehouse_intact(
    sequence: Case, baseline: Baseline
) -> None:
    lock = sequence.build.with_name(f"{sequence.build.name}.lock")
    assert lock.exists()  # left by the baseline run: it must never block a run
    ended = sequence.run(kill_when(INGEST_LINE))
    assert ended.fault_line is not None, ended.output[-3000:]
    assert ended.returncode == -signal.SIGKILL
    assert_serving_unchanged(sequence.serving, baseline)
    # The killed run's marker says its build file is not to be trusted.
    assert run_marker(sequence.build).exists()


def test_kill_9_when_dbt_starts_after_a_killed_run(sequence: Case, baseline: Baseline) -> None:
    after_a_kill = run_marker(sequence.build).exists()
    ended = sequence.run(kill_when(DBT_LINE))
    assert ended.fault_line is not None, ended.output[-3000:]
    assert_serving_unchanged(sequence.serving, baseline)
    if after_a_kill:
        # The run got the lock the killed run held, and set its build file aside.
        assert "left by an interrupted run" in ended.output
        assert sequence.build.with_name(f"{sequence.build.name}.interrupted").exists()


def test_sigterm_while_dbt_builds_ends_with_a_summary(sequence: Case, baseline: Baseline) -> None:
    ended = sequence.run(kill_when(DBT_MODEL_LINE, signal.SIGTERM))
    assert ended.fault_line is None  # the run ends on its own after the signal
    assert ended.returncode != 0
    ended.assert_ended_with_a_summary()
    assert "interrupted" in ended.output
    assert_serving_unchanged(sequence.serving, baseline)
    # One log file per run: the one announced at the start is the one the summary names, and
    # it holds what dbt printed and the trace of the interruption.
    announced = re.search(r"complete log:\s+(\S+)", ended.output)
    log_line = re.search(r"full log:\s+(\S+)", ended.output)
    assert announced is not None and log_line is not None
    assert log_line.group(1) == announced.group(1)
    log_text = Path(log_line.group(1)).read_text(encoding="utf-8")
    assert "Interrupt" in log_text  # KeyboardInterrupt, or Dagster's interrupted step


def test_kill_9_during_the_checks(sequence: Case, baseline: Baseline) -> None:
    """The dbt data tests are the run's first asset checks: kill at the first one."""
    ended = sequence.run(kill_when(DBT_TEST_LINE))
    assert ended.fault_line is not None, ended.output[-3000:]
    assert_serving_unchanged(sequence.serving, baseline)


def test_disk_full_fails_the_run_cleanly(sequence: Case, baseline: Baseline) -> None:
    """No file the run writes may grow beyond 1 MB (the tiny build file reaches ~3 MB)."""

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    ended = sequence.run(preexec_fn=small_disk)
    assert ended.returncode == 1, ended.output[-3000:]
    ended.assert_ended_with_a_summary()
    assert "free disk space" in ended.output
    assert_serving_unchanged(sequence.serving, baseline)


def test_kill_9_while_publishing_with_a_landing_file_rewritten_during_the_read(
    sequence: Case, baseline: Baseline
) -> None:
    """The BACI trade file is rewritten in place (one more row) as soon as the ingest phase
    starts, then the run is killed when it starts publishing. Whatever the run read, it read
    one whole version of the file (or refused the read and failed), and published nothing."""
    trade = sequence.landing / TRADE_FILE
    old = trade.read_bytes()
    new = ("\n".join([*BACI_ROWS, EXTRA_ROW]) + "\n").encode()
    rewritten = False

    def on_line(line: str, proc: subprocess.Popen) -> bool:
        nonlocal rewritten
        if not rewritten and INGEST_LINE.search(line):
            with trade.open("r+b") as handle:  # in place: same file, new bytes
                handle.truncate(0)
                handle.write(new)
            rewritten = True
        return kill_when(PUBLISH_LINE)(line, proc)

    ended = sequence.run(on_line)
    assert rewritten
    assert_serving_unchanged(sequence.serving, baseline)
    if ended.fault_line is None:
        # The run noticed the file changing under it and refused the read.
        ended.assert_ended_with_a_summary()
        assert "changed while it was being read" in ended.output
    else:
        # The killed run's own build file, named by its marker.
        written = run_marker(sequence.build).read_text().splitlines()[0]
        log = assert_rows_accounted(sequence.build.with_name(written))
        checksum, rows_in, loaded, rejected, out_of_scope = log[TRADE_FILE.name]
        versions = {
            hashlib.sha256(old).hexdigest(): (7, 5, 1, 1),
            hashlib.sha256(new).hexdigest(): (8, 6, 1, 1),
        }
        assert versions[checksum] == (rows_in, loaded, rejected, out_of_scope)


# --- corrupted files, a truncated zip, and the run that repairs everything --------------------


def test_a_truncated_baci_zip_extracts_nothing(sequence: Case, baseline: Baseline) -> None:
    """`critmin fetch baci` from a server that sends a truncated zip (complete response, cut
    archive) lands nothing: the landing files the next run reads are untouched."""
    before = {p: p.read_bytes() for p in (sequence.landing / "baci").rglob("*") if p.is_file()}
    members = {
        "BACI_HS17_Y2024_V202501.csv": b"t,i,j,k,v,q\n2024,156,699,284690,9.0,1.0\n",
        "Readme.txt": b"BACI HS17 V202501\n",
    }
    archive = build_zip(members, zipfile.ZIP_DEFLATED)
    server = BulkServer()
    target = "/baci/BACI_HS17_V202501.zip"
    server.resources[target] = Resource(archive[: len(archive) // 2])
    try:
        ended = critmin(
            ["fetch", "baci", "--release", "V202501", "--revision", "HS17"]
            + ["--out", str(sequence.landing), "--url", server.url(target)]
            + ["--max-attempts", "1"]
        )
    finally:
        server.close()
    assert ended.returncode == 1, ended.output
    assert "Traceback" not in ended.output
    assert "zip" in ended.output and "run the command again" in ended.output
    after = {p: p.read_bytes() for p in (sequence.landing / "baci").rglob("*") if p.is_file()}
    assert {p: b for p, b in after.items() if "_downloads" not in p.parts} == before
    assert_serving_unchanged(sequence.serving, baseline)


def test_a_corrupted_serving_file_gives_readers_a_clear_error(sequence: Case) -> None:
    sequence.serving.write_bytes(os.urandom(sequence.serving.stat().st_size))
    ended = critmin(["query", "select 1", "--warehouse", str(sequence.serving)])
    assert ended.returncode == 2
    assert "Traceback" not in ended.output
    assert "is not a valid DuckDB file" in ended.output and "critmin run" in ended.output


def test_the_next_run_repairs_everything_and_is_green(sequence: Case, baseline: Baseline) -> None:
    """After all the faults above, plus a build file damaged after a run that ended cleanly,
    one run with nobody touching a file publishes again: it sets the damaged build file
    aside, replaces the unreadable serving file (keeping both as .broken) and loads the
    landing files as they are now."""
    if serving_readable(sequence.serving):
        sequence.serving.write_bytes(os.urandom(sequence.serving.stat().st_size))
    run_marker(sequence.build).unlink(missing_ok=True)
    if sequence.build.exists():
        sequence.build.write_bytes(os.urandom(sequence.build.stat().st_size))
    else:
        sequence.build.parent.mkdir(parents=True, exist_ok=True)
        sequence.build.write_bytes(os.urandom(1 << 20))
    trade = (sequence.landing / TRADE_FILE).read_bytes()

    ended = sequence.run()
    ended.assert_ended_with_a_summary()
    assert ended.returncode == 0, ended.output[-3000:]
    assert "repaired:    the build file could not be opened" in ended.output
    assert "repaired:    replaced the unreadable serving file" in ended.output
    assert sequence.build.with_name(f"{sequence.build.name}.broken").exists()
    assert sequence.serving.with_name(f"{sequence.serving.name}.broken").exists()

    version, _ = serving_state(sequence.serving)
    assert version != baseline.version
    log = assert_rows_accounted(sequence.serving)
    assert log[TRADE_FILE.name][0] == hashlib.sha256(trade).hexdigest()
    extra = trade.decode().count(EXTRA_ROW)
    assert trade_totals(sequence.serving) == (5 + extra, 1_350_000.0 + 1_000.0 * extra)
    query = critmin(["query", "select count(*) from marts.dim_country"] + warehouse(sequence))
    assert query.returncode == 0 and "249" in query.output


def warehouse(case: Case) -> list[str]:
    return ["--warehouse", str(case.serving)]


def serving_readable(serving: Path) -> bool:
    try:
        serving_state(serving)
    except duckdb.Error:
        return False
    return True
