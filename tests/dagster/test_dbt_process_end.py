"""A dbt step that ends early leaves no dbt process behind (`end_process`, and
`stream_to_the_end`, which the dbt asset streams dbt's events through).

Real child processes: one that exits on SIGINT as dbt does, one that ignores it. Each says
"ready" once its handler is installed; the test reads that line before signalling it. For the
stream, the invocation is dagster-dbt's shape (a `process` and a `stream()` of its events) with
a real process behind it; the step's end is the interrupt Dagster raises into the step's
generator, or the generator closed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.defs.transform import end_process, stream_to_the_end, write_dbt_launcher

# "ready" is printed inside the try: a SIGINT sent as soon as the line is read must land where
# it is handled (printed before the try, it could arrive in between and end the child with -2).
EXITS_ON_SIGINT = """
import sys, time
try:
    print("ready", flush=True)
    time.sleep(600)
except KeyboardInterrupt:
    sys.exit(3)
"""

IGNORES_SIGINT = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(600)
"""


def _child(code: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def test_a_running_process_gets_sigint_and_is_waited_for() -> None:
    process = _child(EXITS_ON_SIGINT)
    assert end_process(process) == 3  # its own exit code: it handled the SIGINT
    assert process.poll() == 3


def test_a_process_that_ignores_sigint_is_killed_after_the_grace_period() -> None:
    process = _child(IGNORES_SIGINT)
    assert end_process(process, grace_s=0.5) == -signal.SIGKILL


def test_an_ended_process_is_left_alone() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(5)"])
    process.wait()
    assert end_process(process) == 5


@dataclass
class Invocation:
    """What `stream_to_the_end` uses of dagster-dbt's `DbtCliInvocation`."""

    process: subprocess.Popen

    def stream(self) -> Iterator[str]:
        while True:  # events for as long as the step takes them
            yield "event"


def test_an_interrupt_raised_in_the_step_ends_dbt_before_it_propagates() -> None:
    """The interrupt arrives while the step handles an event (outside dagster-dbt's own loop,
    where it is not forwarded to dbt): dbt has exited by the time the step sees it."""
    process = _child(EXITS_ON_SIGINT)
    events = stream_to_the_end(Invocation(process))
    next(events)
    with pytest.raises(KeyboardInterrupt):
        events.throw(KeyboardInterrupt)
    assert process.poll() == 3


def test_a_step_closed_early_ends_dbt() -> None:
    process = _child(EXITS_ON_SIGINT)
    events = stream_to_the_end(Invocation(process))
    next(events)
    events.close()
    assert process.poll() == 3


# The process that starts dbt in a run: it runs the launcher, then waits on its stdin.
STARTS_DBT = """
import subprocess, sys
subprocess.Popen([sys.argv[1], "build", "--full-refresh"])
sys.stdin.read()
"""

# Stands in for dbt: says who and where it is and what it was asked, then runs until killed.
FAKE_DBT = '#!/bin/sh\necho "$$ $PWD $*"\nexec sleep 3600\n'


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_dbt_started_by_the_launcher_runs_in_its_folder_and_dies_with_its_parent(
    tmp_path: Path,
) -> None:
    """`write_dbt_launcher` starts dbt in the folder asked for (the build file's, which its
    profile names by name) with dbt's arguments, and the kernel kills it when the process that
    started it is killed (`kill -9`: no handler of that process runs).

    The fake dbt inherits the starting process's stdout, a pipe this test reads: the pipe ends
    (end of file) only once both have exited. Before the parent-death signal, the fake dbt would
    have lived on for an hour; the reader thread's limit turns that into a failure."""
    fake = tmp_path / "fake-dbt"
    fake.write_text(FAKE_DBT, encoding="utf-8")
    fake.chmod(0o755)
    build_folder = tmp_path / "build folder"
    build_folder.mkdir()
    launcher = write_dbt_launcher(tmp_path / "profile", fake, cwd=build_folder)
    parent = subprocess.Popen(
        [sys.executable, "-c", STARTS_DBT, str(launcher)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert parent.stdout is not None
    pid, rest = parent.stdout.readline().decode().rstrip("\n").split(" ", 1)
    assert rest == f"{build_folder} build --full-refresh"
    parent.kill()
    parent.wait()
    rest_of_output: list[bytes] = []
    reader = threading.Thread(target=lambda: rest_of_output.append(parent.stdout.read()))
    reader.start()
    reader.join(timeout=120)
    if reader.is_alive():
        os.kill(int(pid), signal.SIGKILL)
        reader.join()
        pytest.fail(f"dbt (pid {pid}) outlived the process that started it")
    assert rest_of_output == [b""]
