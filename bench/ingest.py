"""Benchmark: critmin's BACI trade ingest against DuckDB's own CSV reader on one synthetic year.

The script writes BACI-format year files (`t,i,j,k,v,q`, ~5,000 HS6 codes of which the
critical-mineral codes are a small fraction, ~2% empty quantities, values with 3 decimals, HS6
codes written without their leading zero as BACI does) at 2.5M, 5M and 10M rows, and for each
file measures, each in its own subprocess so that peak memory is that of one ingest only:

- critmin: `ingest.baci.reader.read_baci_folder` + `warehouse.load.load_source_read` into
  `raw.baci_trade` of a fresh temporary warehouse (the code path `critmin run` uses, checksum and
  load log included);
- duckdb: `create table ... as select ... from read_csv(...) where <same HS filter>` into a fresh
  DuckDB file.

It prints wall time, throughput (MB/s, rows/s) and peak resident memory (VmHWM of the child) per
run (best time of `--repeat` alternating runs, worst peak memory) and the load average around the
runs (the figures depend on what else the machine runs), then, as its last line,
`critmin/duckdb throughput ratio: X` for the largest file.

    .venv/bin/python bench/ingest.py              # files in a temporary directory, deleted after
    .venv/bin/python bench/ingest.py --dir /tmp/x --rows 10000000 --sizes 2500000,5000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

YEAR = 2023
HS_CODES = 5_000
COUNTRIES = 220
EMPTY_Q_SHARE = 0.02
CHUNK_ROWS = 1_000_000
SEED = 20250101


@dataclass(frozen=True)
class Measurement:
    engine: str
    rows_in: int
    rows_loaded: int
    seconds: float
    peak_rss_mb: float
    file_mb: float

    @property
    def mb_per_s(self) -> float:
        return self.file_mb / self.seconds

    @property
    def rows_per_s(self) -> float:
        return self.rows_in / self.seconds


# --- data generation -------------------------------------------------------------------------


def product_codes(rng: np.random.Generator, critical: list[str]) -> np.ndarray:
    """~HS_CODES distinct six-digit codes, the critical-mineral ones among them."""
    pool = rng.choice(np.arange(10_000, 970_000), size=HS_CODES * 2, replace=False)
    others = [f"{code:06d}" for code in pool if f"{code:06d}" not in critical]
    return np.array(sorted([*critical, *others[: HS_CODES - len(critical)]]))


def country_codes() -> np.ndarray:
    """BACI country codes critmin knows (so in-scope rows load rather than being rejected)."""
    from ingest.reference import lookup as reference

    known = reference.countries().drop_nulls("baci_code")["baci_code"].to_list()
    return np.array(sorted(known)[:COUNTRIES])


def write_year(path: Path, rows: int, seed: int = SEED) -> None:
    """A BACI year file sorted by exporter, importer, product like the published files.

    Each (exporter, importer) pair gets a run of distinct products, so (t, i, j, k) is unique.
    Written in chunks: memory stays bounded whatever `rows` is.
    """
    from ingest.reference import lookup as reference

    rng = np.random.default_rng(seed)
    codes = product_codes(rng, sorted(reference.critical_hs6_codes()))
    # BACI prints codes as integers: 010121 -> 10121.
    code_text = np.array([str(int(code)) for code in codes])
    countries = country_codes()
    pairs = np.array([(i, j) for i in countries for j in countries if i != j])
    per_pair = max(1, -(-rows // len(pairs)))
    with path.open("wb") as handle:
        handle.write(b"t,i,j,k,v,q\n")
        written = 0
        pair = 0
        while written < rows:
            n = min(CHUNK_ROWS, rows - written)
            pair_index = pair + np.arange(n) // per_pair
            offset = np.arange(n) % per_pair
            pair += -(-n // per_pair)
            # distinct products within a pair: 7 is coprime with the code count's factors
            product_index = (pair_index * 131 + offset * 7) % len(codes)
            quantities = np.round(rng.lognormal(mean=1.0, sigma=2.5, size=n), 3)
            chunk = pl.DataFrame(
                {
                    "t": np.full(n, YEAR, dtype=np.int32),
                    "i": pairs[pair_index % len(pairs), 0],
                    "j": pairs[pair_index % len(pairs), 1],
                    "k": code_text[product_index],
                    "v": np.round(rng.lognormal(mean=3.0, sigma=2.5, size=n), 3),
                    "q": np.where(rng.random(n) < EMPTY_Q_SHARE, np.nan, quantities),
                }
            ).with_columns(pl.col("q").fill_nan(None))
            chunk.write_csv(handle, include_header=False, float_precision=3, null_value="")
            written += n


# --- the two ingests, each run in a child process ---------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: the figures depend on what else the machine runs."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_critmin(path: Path, warehouse: Path) -> dict[str, float]:
    import duckdb

    from ingest.baci.reader import read_baci_folder, trade_years
    from warehouse.load import load_trade_years

    # The code path of the `raw/baci_trade` asset in `critmin run`: one year's partition.
    started = time.perf_counter()
    years = trade_years(path.parent)
    read = read_baci_folder(path.parent, "baci", years=years, code_files=False)
    with duckdb.connect(str(warehouse)) as con:
        loaded = load_trade_years(con, read, years)
    seconds = time.perf_counter() - started
    return {
        "rows_in": loaded.rows_in,
        "rows_loaded": loaded.table_rows["baci_trade"],
        "seconds": seconds,
    }


def run_duckdb(path: Path, warehouse: Path) -> dict[str, float]:
    import duckdb

    from ingest.reference import lookup as reference

    codes = sorted(reference.critical_hs6_codes())
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table baci_trade as select * from read_csv(?, header = true, "
            "columns = {'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'VARCHAR', "
            "'v': 'DOUBLE', 'q': 'DOUBLE'}) where lpad(k, 6, '0') in (select unnest(?))",
            [str(path), codes],
        )
        (rows_loaded,) = con.execute("select count(*) from baci_trade").fetchone()
    seconds = time.perf_counter() - started
    rows_in = sum(1 for _ in path.open("rb")) - 1
    return {"rows_in": rows_in, "rows_loaded": rows_loaded, "seconds": seconds}


def child_main(engine: str, path: Path, warehouse: Path) -> None:
    result = (run_critmin if engine == "critmin" else run_duckdb)(path, warehouse)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def measure(engine: str, path: Path, scratch: Path) -> Measurement:
    warehouse = scratch / f"{engine}.duckdb"
    warehouse.unlink(missing_ok=True)
    completed = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(path), str(warehouse)],
        check=True,
        capture_output=True,
        text=True,
    )
    warehouse.unlink(missing_ok=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return Measurement(
        engine=engine,
        rows_in=int(result["rows_in"]),
        rows_loaded=int(result["rows_loaded"]),
        seconds=float(result["seconds"]),
        peak_rss_mb=float(result["peak_rss_mb"]),
        file_mb=path.stat().st_size / 1e6,
    )


def report(m: Measurement) -> str:
    return (
        f"  {m.engine:8s} {m.rows_in:>11,} rows in, {m.rows_loaded:>7,} loaded  "
        f"{m.seconds:7.2f} s  {m.mb_per_s:7.1f} MB/s  {m.rows_per_s / 1e6:6.2f} M rows/s  "
        f"peak RSS {m.peak_rss_mb:7.1f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="where to write the files (default: a temp dir)")
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the largest file")
    parser.add_argument(
        "--sizes", default="2500000,5000000", help="smaller files, comma-separated row counts"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine; best time kept")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "FILE", "WAREHOUSE"))
    args = parser.parse_args(argv)
    if args.child:
        engine, file, warehouse = args.child
        child_main(engine, Path(file), Path(warehouse))
        return 0

    sizes = sorted({*(int(s) for s in args.sizes.split(",") if s), args.rows})
    print(f"load average before: {load_average()} ({os.cpu_count()} CPUs)", flush=True)
    if args.dir:
        Path(args.dir).mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="critmin-bench-", dir=args.dir))
    try:
        last: dict[str, Measurement] = {}
        peaks: dict[str, list[tuple[int, float]]] = {"critmin": [], "duckdb": []}
        for rows in sizes:
            folder = root / f"rows_{rows}"
            folder.mkdir()
            path = folder / f"BACI_HS17_Y{YEAR}_V202501.csv"
            started = time.perf_counter()
            write_year(path, rows)
            size_mb = path.stat().st_size / 1e6
            print(
                f"{rows:,} rows, {size_mb:,.0f} MB "
                f"(generated in {time.perf_counter() - started:.0f} s): {path}",
                flush=True,
            )
            runs: dict[str, list[Measurement]] = {"critmin": [], "duckdb": []}
            for _ in range(args.repeat):  # alternate engines so load from elsewhere hits both
                for engine, measured in runs.items():
                    measured.append(measure(engine, path, root))
            print(f"  load average after the runs: {load_average()}", flush=True)
            for engine, measured in runs.items():
                best = min(measured, key=lambda m: m.seconds)
                last[engine] = best
                peaks[engine].append((rows, max(m.peak_rss_mb for m in measured)))
                print(report(best), flush=True)
            if not args.keep:
                shutil.rmtree(folder)
        for engine, by_size in peaks.items():
            figures = ", ".join(f"{rows / 1e6:g}M rows {mb:.0f} MB" for rows, mb in by_size)
            print(f"peak RSS, {engine} (worst of the runs): {figures}")
        ratio = last["critmin"].rows_per_s / last["duckdb"].rows_per_s
        print(f"critmin/duckdb throughput ratio: {ratio:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
