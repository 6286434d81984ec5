"""Soak benchmark: many consecutive `critmin run`s while a reader queries the serving warehouse.

Each run is the real command (`python -m critmin.cli run`) in its own process, one after the
other, on one landing directory and one serving file. Meanwhile another process opens the
serving file read-only every 50 ms, reads the published version and the rows of
`marts.fct_trade_flows`, and closes it, as a BI tool without a connection pool does. Before the
first run has published there is no file to read: those attempts are counted as waiting, not as
reads.

It prints, per run, its exit code, wall time and peak resident memory (`ru_maxrss` of the run
process and the processes it waited for, dbt's included, from `os.wait4`), then the reader's
reads and errors (every error is a finding: the goal is 0) and, as its last lines, the peak
memory of run 1 against run N (a growth would be a leak across runs of the same build file).

    .venv/bin/python bench/soak.py                 # 20 runs on the tiny test landing directory
    .venv/bin/python bench/soak.py --runs 2 --data-dir landing/ --dir /tmp/soak
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
READER = r"""
import json, os, sys, time
import duckdb

serving, stop = sys.argv[1], sys.argv[2]
reads = waiting = 0
errors = []
versions = set()
while not os.path.exists(stop):
    started = time.monotonic()
    if not os.path.exists(serving):
        waiting += 1
    else:
        try:
            with duckdb.connect(serving, read_only=True) as con:
                version, flows = con.execute(
                    "select (select version_id from meta.warehouse_version), "
                    "(select count(*) from marts.fct_trade_flows)"
                ).fetchone()
            versions.add(version)
            reads += 1
        except Exception as error:  # every failure is a finding
            errors.append(f"{type(error).__name__}: {error}")
    time.sleep(max(0.0, 0.05 - (time.monotonic() - started)))
print(json.dumps({"reads": reads, "waiting": waiting, "errors": errors,
                  "versions": len(versions)}))
"""


@dataclass(frozen=True)
class RunFigures:
    number: int
    returncode: int
    seconds: float
    peak_rss_mb: float


def tiny_landing(root: Path) -> Path:
    # The repository first: bench/ingest.py must not shadow the `ingest` package.
    sys.path[:0] = [str(REPO), str(REPO / "tests")]
    from landing_fixtures import tiny_landing as write

    return write(root)


def run_once(number: int, landing: Path, serving: Path, log: Path) -> RunFigures:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "critmin.cli", "run"]
            + ["--data-dir", str(landing), "--warehouse", str(serving)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return RunFigures(
        number=number,
        returncode=proc.returncode,
        seconds=time.monotonic() - started,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="consecutive runs (default 20)")
    parser.add_argument(
        "--data-dir", type=Path, help="landing directory (default: the tiny test landing dir)"
    )
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="critmin-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    landing = args.data_dir.resolve() if args.data_dir else tiny_landing(work / "landing")
    serving = work / "warehouse" / "critmin.duckdb"
    stop = work / "stop-reader"
    stop.unlink(missing_ok=True)
    print(f"soak: {args.runs} run(s) of critmin run on {landing}, serving file {serving}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    figures = []
    try:
        for number in range(1, args.runs + 1):
            run = run_once(number, landing, serving, work / f"run-{number}.log")
            figures.append(run)
            print(
                f"run {number:>3}: exit {run.returncode}, {run.seconds:7.1f} s, "
                f"peak RSS {run.peak_rss_mb:7.1f} MB"
            )
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    seen = json.loads(out)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"failed runs: {sum(1 for f in figures if f.returncode != 0)} (logs in {work})")
    print(
        f"reader: {seen['reads']} reads, {len(seen['errors'])} errors, "
        f"{seen['versions']} versions seen, {seen['waiting']} attempts before the first publish"
    )
    for error in seen["errors"][:5]:
        print(f"  reader error: {error}")
    print(f"largest child process peak RSS overall: {children.ru_maxrss / 1024:.1f} MB")
    first, last = figures[0], figures[-1]
    print(f"peak RSS run 1: {first.peak_rss_mb:.1f} MB")
    print(f"peak RSS run {last.number}: {last.peak_rss_mb:.1f} MB")
    return 0 if not seen["errors"] and all(f.returncode == 0 for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
