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
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration import dbt_server
from orchestration.defs.transform import end_process, stream_to_the_end, write_dbt_launcher

REPO = Path(__file__).resolve().parents[2]

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
    assert _read_to_the_end(parent, int(pid)) == b""


# Started by the tests below: starts a dbt server whose commands run the stand-in
# `fake_dbt_entry:main`, then, once it listens, dbt through the launcher (argv[1]) with this
# process's stdout; says the launcher's pid and, once it has ended, its exit code; then waits
# for its stdin to end.
STARTS_DBT_WITH_SERVER = """
import subprocess, sys
from orchestration import dbt_server
with dbt_server.serving(entry="fake_dbt_entry:main") as server:
    assert server.stdout.readline() == b"listening\\n"
    print(f"server {server.pid}", flush=True)
    launched = subprocess.Popen([sys.argv[1], *sys.argv[2:]])
    print(f"launcher {launched.pid}", flush=True)
    print(f"exit {launched.wait()}", flush=True)
    sys.stdin.read()
"""

# The stand-in for dbt's command line, run in the server's forked child: says who and where it
# is, what it was asked and a variable of the launcher's environment, then exits with the code
# asked for (`exit N`) or runs until killed (130 when interrupted, as after Ctrl+C).
FAKE_DBT_ENTRY = """
import os, sys, time
def main():
    try:
        print(os.getpid(), os.getcwd(), " ".join(sys.argv[1:]), os.environ["CRITMIN_TEST_MARK"],
              flush=True)
        if sys.argv[1] == "exit":
            sys.exit(int(sys.argv[2]))
        time.sleep(3600)
    except KeyboardInterrupt:
        sys.exit(130)
"""


def _start_with_server(tmp_path: Path, *arguments: str) -> tuple[subprocess.Popen, Path, int, int]:
    """The run stand-in started, with the folder dbt was started in and the server's and the
    launcher's pids."""
    (tmp_path / "fake_dbt_entry.py").write_text(FAKE_DBT_ENTRY, encoding="utf-8")
    build_folder = tmp_path / "build folder"
    build_folder.mkdir()
    # No dbt at that path: only the server can run the command.
    launcher = write_dbt_launcher(tmp_path / "profile", tmp_path / "no-dbt-here", cwd=build_folder)
    parent = subprocess.Popen(
        [sys.executable, "-c", STARTS_DBT_WITH_SERVER, str(launcher), *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
            "CRITMIN_TEST_MARK": "given",
        },
    )
    assert parent.stdout is not None
    word, server = parent.stdout.readline().decode().split()
    assert word == "server"
    word, launcher = parent.stdout.readline().decode().split()
    assert word == "launcher"
    return parent, build_folder, int(server), int(launcher)


def _read_to_the_end(parent: subprocess.Popen, pid: int) -> bytes:
    """The rest of `parent`'s stdout, which ends once it and every process holding it (the
    fake dbt `pid`) have ended; a failure if that takes more than two minutes."""
    rest: list[bytes] = []
    reader = threading.Thread(target=lambda: rest.append(parent.stdout.read()))
    reader.start()
    reader.join(timeout=120)
    if reader.is_alive():
        os.kill(pid, signal.SIGKILL)
        reader.join()
        pytest.fail(f"dbt (pid {pid}) outlived the process that started it")
    return rest[0]


@pytest.mark.skipif(not dbt_server.available(), reason="the dbt server needs Linux")
def test_a_dbt_command_forked_by_the_runs_server_dies_with_the_run(tmp_path: Path) -> None:
    """With a dbt server started by the run (`dbt_server.serving`), the launcher's dbt is the
    server's fork (another pid than the launcher's, which an exec into dbt would keep; and no
    dbt at the launcher's path), in the folder asked for, with the launcher's arguments,
    environment and stdout. When the run is killed (`kill -9`), the server and that dbt die
    with it: the pipe the test reads ends."""
    parent, build_folder, _, launcher = _start_with_server(tmp_path, "build", "--full-refresh")
    pid, rest = parent.stdout.readline().decode().rstrip("\n").split(" ", 1)
    assert rest == f"{build_folder} build --full-refresh given"
    assert int(pid) != launcher
    parent.kill()
    parent.wait()
    assert _read_to_the_end(parent, int(pid)) == b""


@pytest.mark.skipif(not dbt_server.available(), reason="the dbt server needs Linux")
def test_the_launcher_ends_with_its_forked_dbts_exit_code_and_takes_it_along(
    tmp_path: Path,
) -> None:
    """The launcher ends with the exit code of the dbt the server forked for it (3 here); and
    when the launcher is killed, the server kills that dbt (the run's `end_process` may kill the
    launcher, and a dbt left running would hold the build file)."""
    parent, _, _, launcher = _start_with_server(tmp_path, "exit", "3")
    assert parent.stdout.readline().decode().endswith("/build folder exit 3 given\n")
    assert parent.stdout.readline().decode().split() == ["exit", "3"]
    parent.stdin.close()
    parent.wait()
    assert _read_to_the_end(parent, launcher) == b""

    other = tmp_path / "again"
    other.mkdir()
    parent, _, _, launcher = _start_with_server(other, "build")
    pid = int(parent.stdout.readline().decode().split()[0])
    os.kill(launcher, signal.SIGKILL)
    assert parent.stdout.readline().decode().split() == ["exit", str(-signal.SIGKILL)]
    # The forked dbt ends while the server still runs (the run has not ended): a pidfd becomes
    # readable when its process has exited.
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:  # already ended and reaped
        pidfd = None
    if pidfd is not None:
        ended, _, _ = select.select([pidfd], [], [], 120)
        os.close(pidfd)
        if not ended:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"dbt (pid {pid}) outlived its killed launcher")
    parent.stdin.close()
    parent.wait()
    assert _read_to_the_end(parent, pid) == b""


@pytest.mark.skipif(not dbt_server.available(), reason="the dbt server needs Linux")
def test_ctrl_c_interrupts_the_forked_dbt_not_the_server(tmp_path: Path) -> None:
    """Ctrl+C in a terminal sends SIGINT to every process of the run's group: the forked dbt gets
    it as dbt would (the stand-in exits 130 on KeyboardInterrupt) and the server ignores it, so
    it passes that exit code on to the launcher (a server ended by it would have killed dbt at
    once, and the launcher would end with 1)."""
    parent, _, server, _ = _start_with_server(tmp_path, "build")
    pid = int(parent.stdout.readline().decode().split()[0])
    os.kill(server, signal.SIGINT)
    os.kill(pid, signal.SIGINT)
    assert parent.stdout.readline().decode().split() == ["exit", "130"]
    parent.stdin.close()
    parent.wait()
    assert _read_to_the_end(parent, pid) == b""
