"""A dbt step that ends early leaves no dbt process behind (`end_process`).

Real child processes: one that exits on SIGINT as dbt does, one that ignores it. Each says
"ready" once its handler is installed; the test reads that line before signalling it.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from orchestration.defs.transform import end_process

EXITS_ON_SIGINT = """
import sys, time
print("ready", flush=True)
try:
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
