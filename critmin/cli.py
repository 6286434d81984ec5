"""The `critmin` command: build the warehouse, write the demo data, query the marts."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warehouse import access
from warehouse.paths import DEFAULT_DEMO_DIR, WAREHOUSE_ENV, warehouse_path

LANDING_LAYOUT = "DIR/baci/, DIR/usgs_mcs/, DIR/comtrade/, DIR/policy_events/"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="critmin",
        description=(
            "Critical-minerals supply-dependency warehouse: trade (CEPII BACI), production "
            "(USGS MCS) and policy events in DuckDB, modelled with dbt, orchestrated by Dagster."
        ),
        epilog=(
            "Examples:\n"
            "  critmin run                       build from the bundled (synthetic) demo data\n"
            "  critmin run --data-dir landing/   build from your own landing directory\n"
            '  critmin query "select * from marts.mart_import_dependency '
            "where importer_iso3 = 'IND'\""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
            f"source (default: the demo data, written to {DEFAULT_DEMO_DIR} when missing)"
        ),
    )
    _warehouse_argument(run, "DuckDB file to build")

    demo = commands.add_parser(
        "demo-data",
        help="write the synthetic demo landing directory",
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
            return _run(args.data_dir, warehouse_path(args.warehouse))
        if args.command == "demo-data":
            return _demo_data(args.out, args.if_missing)
        return _query(args.sql, warehouse_path(args.warehouse), args.format)
    except (access.WarehouseNotFoundError, access.WarehouseBusyError) as error:
        print(f"critmin: {error}", file=sys.stderr)
        return 2


def _demo_data(out: Path, if_missing: bool) -> int:
    from critmin import demo_data

    if if_missing:
        demo_data.ensure_demo_data(out)
        print(f"demo data in {out}")
        return 0
    summary = demo_data.write_demo_data(out)
    print(f"wrote {len(summary.files)} demo files to {out} (synthetic data; see {out}/README.txt)")
    return 0


def _run(data_dir: Path | None, warehouse: Path) -> int:
    from critmin import demo_data
    from critmin.pipeline import run_pipeline

    if data_dir is None:
        data_dir = demo_data.ensure_demo_data(DEFAULT_DEMO_DIR)
        print(f"critmin: using the bundled demo data (synthetic) in {data_dir}")
    elif not data_dir.is_dir():
        print(
            f"critmin: landing directory {data_dir} does not exist; expected a directory laid "
            f"out as {LANDING_LAYOUT}",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    outcome = run_pipeline(data_dir.resolve(), warehouse.resolve(), echo=print)
    print(outcome.summary(elapsed_s=time.monotonic() - started))
    return 0 if outcome.success else 1


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


if __name__ == "__main__":
    raise SystemExit(main())
