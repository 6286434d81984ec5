"""A process that has already imported dbt, and forks each dbt command a run's launcher asks for.

A dbt command spends about 1.9 s of a run's one-new-year build before dbt's first line: a new
interpreter, then dbt's, its adapter's and their libraries' imports. `critmin run` starts this
server when it starts (`serving`), so those imports happen while Dagster starts and the sources
are ingested, on the machine's other core. When the dbt step starts dbt, the launcher
(`orchestration.defs.transform.write_dbt_launcher`) connects to the server of the run that started
it, hands over its standard input, output and error, its arguments, folder and environment, and
the server forks: the child becomes that dbt command (the same `dbt.cli.main.cli` the `dbt`
script runs) with those streams, folder and environment, and the launcher ends with its exit
code. dagster-dbt sees the launcher as it saw dbt: the same output, the same exit code; a signal
sent to the launcher is passed on to dbt.

What a process started by a launcher guaranteed still holds: dbt dies when the run that started it
ends (the server dies with the run, each child with the server: the parent-death signal), and when
the launcher is killed, the server kills the dbt it forked for it. When there is no server (a
Dagster deployment, a test, a system other than Linux) or it cannot be reached, the launcher
runs dbt itself, as before.

It runs one command at a time (a run's dbt commands follow one another; another launcher waits
for the one before to end). The server answers only processes of its own user (the socket's
peer credentials), on an abstract socket named after the run's process id (`address`).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence

# Linux's prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills the calling process when its parent
# ends.
_PR_SET_PDEATHSIG = 1
# The largest request a launcher sends (its arguments and environment), in bytes.
_MAX_REQUEST = 4 * 2**20


def address(run_pid: int) -> bytes:
    """The abstract socket of the server started by the process `run_pid`."""
    return f"\0critmin-dbt-server-{run_pid}".encode()


def available() -> bool:
    """Whether a run can start a server here (Linux: abstract sockets, the parent-death signal,
    and process file descriptors, which kernels before 5.3 lack)."""
    if sys.platform != "linux" or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


# What the `dbt` script runs.
DBT_ENTRY = "dbt.cli.main:cli"


@contextlib.contextmanager
def serving(entry: str = DBT_ENTRY) -> Iterator[subprocess.Popen | None]:
    """A dbt server for the dbt commands this process starts through a launcher, stopped on
    leaving (None where `available` says it cannot run). `entry` (`module:function`) is what
    each command runs: dbt's command line; the tests give a stand-in."""
    if not available():
        yield None
        return
    server = subprocess.Popen(
        [sys.executable, "-m", "orchestration.dbt_server", str(os.getpid()), entry],
        stdin=subprocess.DEVNULL,
        # One line, once the server listens (a launcher that comes sooner runs dbt itself);
        # whoever needs to know reads it (the tests).
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # dbt's output goes through the launcher's pipe as dbt writes it, as a dbt started by
        # dagster-dbt with the same variable does.
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield server
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()


def _die_with_parent(parent: int) -> bool:
    """Ask the kernel to kill this process when its parent ends; whether the parent is still
    `parent` (it may have ended before the call)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    return os.getppid() == parent


def launch(argv: Sequence[str] | None = None) -> None:
    """The launcher's process (`orchestration.defs.transform.write_dbt_launcher`). `argv` (else
    the command line's): the pid of the process that started it, the dbt executable, dbt's
    arguments. It dies with that process; then, when that process started a server, the server
    forks the dbt command with this process's streams, folder and environment, signals to this
    process are passed on to it, and this process ends with its exit code; else (no server, or
    one that ends before it has started dbt) this process becomes dbt."""
    argv = sys.argv[1:] if argv is None else argv
    parent, dbt, arguments = int(argv[0]), argv[1], list(argv[2:])
    if not _die_with_parent(parent):
        sys.exit("dbt not started: the run that asked for it ended")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.connect(address(parent))
    except OSError:
        os.execv(dbt, [dbt, *arguments])
    request = json.dumps([arguments, os.getcwd(), dict(os.environ)]) + "\n"
    socket.send_fds(server, [request.encode()], [0, 1, 2])
    answers = server.makefile("r")
    started = answers.readline()
    if not started:
        os.execv(dbt, [dbt, *arguments])
    pid = int(started)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda number, _frame: os.kill(pid, number))
    ended = answers.readline()
    if not ended:
        sys.exit("dbt's end not known: the dbt server ended")
    code = int(ended)
    sys.exit(code if code >= 0 else 128 - code)


def main(run_pid: int, entry: str = DBT_ENTRY) -> None:
    if not _die_with_parent(run_pid):
        return
    # Ctrl+C in a terminal interrupts the whole process group: the run stops its step and dbt
    # cancels its queries; the server (whose end would kill that dbt at once) carries on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address(run_pid))
    listener.listen(8)
    print("listening", flush=True)
    # What the `dbt` script imports before it runs a command, and the adapter it then loads.
    module, function = entry.split(":")
    command = getattr(importlib.import_module(module), function)
    if entry == DBT_ENTRY:
        importlib.import_module("dbt.adapters.duckdb")
    while True:
        connection, _ = listener.accept()
        with connection:
            if _same_user(connection):
                _serve(listener, connection, command)


def _same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
    )
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _serve(
    listener: socket.socket, connection: socket.socket, command: Callable[[], object]
) -> None:
    """Fork the dbt command `connection` asks for; tell the launcher its pid, then its exit code
    (killing it if the launcher goes away first)."""
    request, streams = _receive(connection)
    if request is None or len(streams) != 3:
        for fd in streams:
            os.close(fd)
        return
    pid = os.fork()
    if pid == 0:
        listener.close()
        connection.close()
        _become_dbt(os.getppid(), request, streams, command)
    for fd in streams:
        os.close(fd)
    pidfd = os.pidfd_open(pid)
    try:
        connection.sendall(f"{pid}\n".encode())
        ready, _, _ = select.select([connection, pidfd], [], [])
        if pidfd not in ready:  # the launcher ended (or spoke) before dbt did
            os.kill(pid, signal.SIGKILL)
    except OSError:
        os.kill(pid, signal.SIGKILL)
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())


def _receive(connection: socket.socket) -> tuple[list | None, list[int]]:
    """The request `launch` sent (arguments, folder, environment; JSON on one line) and the
    three streams that came with it."""
    data, streams = b"", []
    while not data.endswith(b"\n") and len(data) < _MAX_REQUEST:
        chunk, fds, _, _ = socket.recv_fds(connection, 2**16, 3)
        streams.extend(fds)
        if not chunk:
            return None, streams
        data += chunk
    try:
        return json.loads(data), streams
    except ValueError:
        return None, streams


def _become_dbt(
    server: int, request: list, streams: list[int], command: Callable[[], object]
) -> None:
    """In the forked child: take the launcher's streams, folder, environment and arguments, and
    run `command` as the `dbt` script runs dbt's; never returns."""
    code = 1
    try:
        if not _die_with_parent(server):
            return
        signal.signal(signal.SIGINT, signal.default_int_handler)
        arguments, folder, environment = request
        for number, fd in enumerate(streams):
            os.dup2(fd, number)
            os.close(fd)
        os.chdir(folder)
        # The environment the launcher was given, as `exec` would give it to dbt.
        os.environ.clear()
        os.environ.update(environment)
        sys.argv = ["dbt", *arguments]
        try:
            command()
            code = 0
        except SystemExit as ended:
            code = ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on dbt's error stream, then the exit code
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main(int(sys.argv[1]), *sys.argv[2:3])
