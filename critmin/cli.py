"""The `critmin` command: build the warehouse, write the demo data, query the marts."""

from __future__ import annotations

import argparse
import atexit
import csv
import dataclasses
import datetime as dt
import decimal
import functools
import http.server
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from critmin import fetch
from critmin.pipeline import BuildBusyError
from ingest import registry
from warehouse import access
from warehouse.paths import WAREHOUSE_ENV, docs_dir, warehouse_path

# One folder per source of the registry (`ingest.registry`), which imports no reader.
LANDING_LAYOUT = registry.landing_layout()


# The packages that decide what a run builds, named in `critmin --version` (read from their
# installed metadata: nothing is imported).
VERSIONED = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "great-expectations")


def version_text() -> str:
    """`critmin X.Y.Z` and the versions of the packages a build depends on."""
    from importlib import metadata

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    stack = ", ".join(f"{name} {installed(name)}" for name in VERSIONED)
    return f"critmin {installed('critmin')} ({stack})"


class _VersionAction(argparse.Action):
    """`--version`: the versions are looked up only when asked for, not on every command."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(version_text())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="critmin",
        description=(
            "Critical-minerals supply-dependency warehouse: trade (CEPII BACI), production "
            "(USGS MCS) and policy events in DuckDB, modelled with dbt, orchestrated by Dagster."
        ),
        epilog=(
            "Examples:\n"
            "  critmin run                       build from the real starter data\n"
            "  critmin run --data-dir landing/   build from your own landing directory\n"
            '  critmin query "select * from marts.mart_import_dependency '
            "where importer_iso3 = 'IND'\""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print critmin's version and those of Dagster, dbt, DuckDB and Great Expectations",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="ingest, build the marts and validate them (the whole job)",
        description=(
            "Materialise every asset: ingest the landing directory into the warehouse's raw "
            "schema, build the dbt models (dbt tests run as checks) and validate the marts with "
            "Great Expectations. Exits 1 when a step or a check fails."
        ),
    )
    run.add_argument(
        "--data-dir",
        type=Path,
        help=(
            f"landing directory laid out as {LANDING_LAYOUT}; an absent folder is an empty "
            "source (default: the real starter data, written to .critmin/starter/ by "
            "`critmin fetch starter` when missing)"
        ),
    )
    _warehouse_argument(run, "DuckDB file to build")
    run.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        help=(
            "what dbt builds the models on (default: $CRITMIN_ENGINE, else duckdb). spark runs "
            "the same dbt project on Spark (Parquet tables; needs `make spark-install`) and copies "
            "the tables it built into the DuckDB file the checks, publish and report read"
        ),
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="also print everything dbt and Dagster write to the run's log (one line per step)",
    )

    demo = commands.add_parser(
        "demo-data",
        help="write a synthetic landing directory (test fixtures in the real formats)",
        description=(
            "Write the demo landing directory: synthetic, seeded BACI trade files and USGS MCS "
            "world files in their published formats, and the real curated policy register."
        ),
    )
    demo.add_argument("--out", type=Path, required=True, help="directory to write")
    demo.add_argument(
        "--if-missing", action="store_true", help="do nothing when the directory already has it"
    )

    query = commands.add_parser(
        "query",
        help="run SQL read-only on the warehouse",
        description="Run one SQL statement read-only on the warehouse and print the result.",
    )
    query.add_argument("sql", help='SQL text, e.g. "select * from marts.dim_country limit 5"')
    _warehouse_argument(query, "DuckDB file to read")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")

    docs = commands.add_parser(
        "docs",
        help="write or serve the documentation of the marts (dbt docs)",
        description=(
            "The dbt documentation of the serving warehouse (every model and column, lineage, "
            "the catalog), generated by the run that published it. Copy it with --out, or serve "
            "it on localhost with --serve."
        ),
    )
    _warehouse_argument(docs, "serving DuckDB file whose documentation to show")
    docs.add_argument("--out", type=Path, help="copy the documentation to this directory")
    docs.add_argument("--serve", action="store_true", help="serve it on http://127.0.0.1:PORT")
    docs.add_argument("--port", type=int, default=8580, help="port for --serve (default 8580)")

    report = commands.add_parser(
        "report",
        help="write a self-contained HTML report on one country's supply dependency",
        description=(
            "Write one HTML page (inline charts, no network needed to view it) on how exposed a "
            "country is: supplier shares per stage, concentration, export restrictions and their "
            "effect, alternative suppliers, shock scenarios."
        ),
    )
    report.add_argument(
        "--country", required=True, help="importer ISO3 code, e.g. IND (see marts.dim_country)"
    )
    report.add_argument(
        "--mineral",
        action="append",
        help="mineral, e.g. rare_earths; repeat or comma-separate for several "
        "(default: every mineral the country imports)",
    )
    report.add_argument("--out", type=Path, default=Path("report.html"), help="HTML file to write")
    _warehouse_argument(report, "serving DuckDB file to read")

    fetch.register(commands)
    return parser


def _warehouse_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        help=f"{what} (default: ${WAREHOUSE_ENV}, else {warehouse_path(None)})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args.data_dir, args.warehouse, args.verbose, args.engine)
        if args.command == "demo-data":
            return _demo_data(args.out, args.if_missing)
        if args.command == "fetch":
            return fetch.run_fetch(args)
        if args.command == "report":
            return _report(args.country, args.mineral, args.out, warehouse_path(args.warehouse))
        if args.command == "docs":
            return _docs(warehouse_path(args.warehouse), args.out, args.serve, args.port)
        return _query(args.sql, warehouse_path(args.warehouse), args.format)
    except (
        access.WarehouseNotFoundError,
        access.WarehouseBusyError,
        access.WarehouseUnreadableError,
        BuildBusyError,
    ) as error:
        print(f"critmin: {error}", file=sys.stderr)
        return 2


def _report(country: str, mineral: list[str] | None, out: Path, warehouse: Path) -> int:
    """Write the report page (exit 0), or say why not (exit 2: unknown country or mineral, no
    readable warehouse)."""
    from critmin import report

    minerals = [m for text in mineral or [] for m in text.split(",") if m.strip()]
    try:
        data = report.build_report(warehouse, country, minerals or None, out)
    except (
        report.ReportError,
        access.WarehouseNotFoundError,
        access.WarehouseBusyError,
        access.WarehouseUnreadableError,
    ) as error:
        print(f"critmin report: {error}", file=sys.stderr)
        return 2
    shown = ", ".join(m.mineral for m in data.minerals)
    print(f"report on {data.country_name} ({shown}) written to {out}")
    if data.is_demo:
        print("note: the warehouse was built from synthetic demo data; the page says so")
    return 0


def _demo_data(out: Path, if_missing: bool) -> int:
    from critmin import demo_data

    if if_missing:
        demo_data.ensure_demo_data(out)
        print(f"demo data in {out}")
        return 0
    summary = demo_data.write_demo_data(out)
    print(f"wrote {len(summary.files)} demo files to {out} (synthetic data; see {out}/README.txt)")
    return 0


def _run(
    data_dir: Path | None, warehouse: Path | None, verbose: bool = False, engine: str | None = None
) -> int:
    """`critmin run`: resolve the settings once (arguments, else environment, else defaults),
    build, and print the summary."""
    from critmin import starter
    from critmin.pipeline import run_pipeline
    from orchestration import progress
    from orchestration.settings import resolve_settings

    try:
        settings = resolve_settings(data_dir=data_dir, warehouse=warehouse, engine=engine)
    except ValueError as error:
        print(f"critmin: {error}", file=sys.stderr)
        return 2
    if settings.engine == "spark":
        from orchestration.spark import spark_available

        missing = spark_available()
        if missing:
            print(f"critmin: the spark engine cannot run: {missing}", file=sys.stderr)
            return 2
    if data_dir is None:
        try:
            data_dir = starter.ensure_starter(starter.DEFAULT_STARTER_DIR)
        except starter.StarterError as error:
            print(f"critmin: {error}", file=sys.stderr)
            return 2
        print(f"critmin: using the real starter data in {data_dir} ({starter.LACKS})")
    elif not data_dir.is_dir():
        print(
            f"critmin: landing directory {data_dir} does not exist; expected a directory laid "
            f"out as {LANDING_LAYOUT}",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    settings = dataclasses.replace(settings, landing_dir=data_dir).absolute()
    # The run's one log file: what dbt and Dagster print, the traces of failed steps, and the
    # trace of whatever stops the run.
    log_file = progress.run_log_path(settings.log_dir)
    # A scheduler stops a job with SIGTERM: stop the run as Ctrl+C would (Dagster ends the step
    # and its dbt process), so it ends with a summary like any other failed run.
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    try:
        outcome = run_pipeline(settings, echo=print, verbose=verbose, log_file=log_file)
    except (BuildBusyError, access.WarehouseBusyError):
        raise  # another process holds a file: `main` says which and what to do
    except (Exception, KeyboardInterrupt) as error:
        # No traceback for the user: the summary, one line of advice, the trace in a log file.
        from critmin.pipeline import append_to_log, exception_report, failure_summary

        if isinstance(error, KeyboardInterrupt):
            what = "the run was interrupted (Ctrl+C or SIGTERM) before it finished"
        else:
            lines = str(error).strip().splitlines()
            what = f"{type(error).__name__}: {lines[0] if lines else 'no message'}"
        written = append_to_log(log_file, exception_report(error))
        print(
            failure_summary(
                settings.serving_warehouse,
                settings.landing_dir,
                what,
                log_file if written else None,
                elapsed_s=time.monotonic() - started,
            )
        )
        return 130 if isinstance(error, KeyboardInterrupt) else 1
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    print(outcome.summary(elapsed_s=time.monotonic() - started))
    return 0 if outcome.success else 1


def _interrupt(signum: int, frame: object) -> None:
    os.kill(os.getpid(), signal.SIGINT)


def _docs(warehouse: Path, out: Path | None, serve: bool, port: int) -> int:
    source = docs_dir(warehouse)
    index = source / "index.html"
    if not index.exists():
        print(
            f"critmin: no documentation at {source}: it is written when `critmin run` publishes "
            f"{warehouse}. Run it first (or pass --warehouse PATH).",
            file=sys.stderr,
        )
        return 2
    if out is not None:
        shutil.copytree(source, out, dirs_exist_ok=True)
        print(f"documentation written to {out / 'index.html'}")
    if serve:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(source))
        with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
            print(f"serving {index} on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
    elif out is None:
        print(index)
    return 0


def _query(sql: str, warehouse: Path, output_format: str) -> int:
    import duckdb

    try:
        result = access.run_query(warehouse, sql)
    except duckdb.Error as error:
        print(f"critmin: query failed: {error}", file=sys.stderr)
        return 1
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif output_format == "json":
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        print(json.dumps(records, default=_json_value, indent=2))
    else:
        print(format_table(result.columns, result.rows))
    return 0


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def format_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """Rows as an aligned text table with a row count, numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def entry() -> None:
    """The `critmin` command (and `python -m critmin.cli`): `main`, then the process ends.

    Once `main` has returned, everything the command wrote is closed (warehouse connections,
    the Dagster instance, the run's log). The exit handlers Python registered run as at any exit
    (logging flushed, temporary folders removed); what is then skipped is tearing the
    interpreter down object by object, which after a `critmin run` (Dagster, dbt's manifest,
    Great Expectations loaded) takes about 1.5 s of a whole run and holds the command's output
    open until it ends. An error leaves as usual, with its traceback."""
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
