"""`critmin fetch SOURCE`: download published data into the landing directory.

`register(subparsers)` adds the `fetch` command to the `critmin` parser; each source adds its own
sub-command through a function in `SOURCE_PARSERS` that sets `fetch_run` (the function that runs
it, returning the exit code). `run_fetch(args)` dispatches to it.

Exit codes: 0 done, 1 the download failed (what was fetched is kept and a re-run resumes),
2 usage error (bad arguments, missing API key).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from warehouse.paths import DATA_DIR_ENV

DEFAULT_LANDING = Path("landing")

_YEAR_RANGE = re.compile(r"(\d{4})-(\d{4})")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `fetch` and its source sub-commands to a `critmin` sub-parser collection."""
    fetch = subparsers.add_parser(
        "fetch",
        help="download published source data into the landing directory",
        description=(
            "Download source data into the landing directory (the layout `critmin run "
            "--data-dir` reads). Re-running a fetch resumes where it stopped."
        ),
    )
    sources = fetch.add_subparsers(dest="fetch_source", required=True, metavar="SOURCE")
    for add_source in SOURCE_PARSERS:
        add_source(sources)
    return fetch


def run_fetch(args: argparse.Namespace) -> int:
    """Run the fetch sub-command parsed into `args`; return the exit code."""
    return args.fetch_run(args)


def landing_dir(explicit: Path | None) -> Path:
    """`--out`, else `$CRITMIN_DATA_DIR`, else `./landing`."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(DATA_DIR_ENV)
    return Path(from_env) if from_env else DEFAULT_LANDING


def parse_codes(text: str) -> tuple[int, ...]:
    """`"699,842"` -> (699, 842); argparse type for country code lists."""
    try:
        codes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated numeric codes such as 699,842"
        ) from None
    if not codes:
        raise argparse.ArgumentTypeError("expected at least one code")
    return codes


def parse_years(text: str) -> tuple[int, ...]:
    """`"2022-2024"` -> (2022, 2023, 2024); `"2021,2023"` -> (2021, 2023)."""
    years: list[int] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        span = _YEAR_RANGE.fullmatch(part)
        if span:
            first, last = int(span.group(1)), int(span.group(2))
            if first > last:
                raise argparse.ArgumentTypeError(
                    f"{part!r}: expected FIRST-LAST with FIRST <= LAST"
                )
            years += range(first, last + 1)
        elif part.isdigit() and len(part) == 4:
            years.append(int(part))
        else:
            raise argparse.ArgumentTypeError(
                f"{part!r}: expected a year (2023), a range (2022-2024) or a comma list"
            )
    if not years:
        raise argparse.ArgumentTypeError("expected at least one year")
    return tuple(dict.fromkeys(years))


def parse_hs_codes(text: str) -> tuple[str, ...]:
    """`"284690,850511"` -> ("284690", "850511"); each 2, 4 or 6 digits."""
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    bad = [c for c in codes if not (c.isdigit() and len(c) in (2, 4, 6))]
    if bad or not codes:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated HS codes of 2, 4 or 6 digits such as 284690,850511"
        )
    return codes


def parse_flows(text: str) -> tuple[str, ...]:
    flows = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    if not flows or any(f not in ("M", "X", "RM", "RX") for f in flows):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a comma list of M, X, RM, RX")
    return flows


def _add_comtrade(sources: argparse._SubParsersAction) -> None:
    from ingest.comtrade_api import API_KEY_ENV, DEFAULT_BASE_URL

    parser = sources.add_parser(
        "comtrade",
        help="UN Comtrade v1 records (needs COMTRADE_API_KEY)",
        description=(
            "Download UN Comtrade v1 records (/data/v1/get/C/{A|M}/HS) for reporters x years x "
            f"HS codes into OUT/comtrade/raw/. The subscription key is read from ${API_KEY_ENV}."
        ),
        epilog="example:\n  critmin fetch comtrade --reporters 699,842 --years 2022-2024 "
        "--hs 284690,850511 --monthly",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--reporters",
        metavar="CODES",
        type=parse_codes,
        required=True,
        help="Comtrade reporter codes, e.g. 699,842",
    )
    parser.add_argument(
        "--years",
        metavar="YEARS",
        type=parse_years,
        required=True,
        help="years, e.g. 2022-2024 or 2021,2023",
    )
    parser.add_argument(
        "--hs",
        metavar="HS_CODES",
        type=parse_hs_codes,
        required=True,
        help="HS codes, e.g. 284690,850511",
    )
    parser.add_argument(
        "--monthly", action="store_true", help="monthly data (every month of each year)"
    )
    parser.add_argument(
        "--flows",
        metavar="FLOWS",
        type=parse_flows,
        default=("M", "X"),
        help="trade flows (default: M,X)",
    )
    parser.add_argument(
        "--partners",
        metavar="CODES",
        type=parse_codes,
        help="partner codes (default: every partner)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help=f"landing directory (default: ${DATA_DIR_ENV}, else ./{DEFAULT_LANDING})",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        default=DEFAULT_BASE_URL,
        help=f"API base URL (default: {DEFAULT_BASE_URL})",
    )
    parser.add_argument(
        "--max-attempts", metavar="N", type=int, default=5, help="attempts per request (default: 5)"
    )
    parser.set_defaults(fetch_run=run_comtrade)


def run_comtrade(args: argparse.Namespace) -> int:
    """Fetch Comtrade records as `args` say, printing one line per chunk."""
    from ingest.comtrade_api import (
        ChunkResult,
        ComtradeApiError,
        FetchSettings,
        MissingApiKeyError,
        fetch_comtrade,
        query_from_lists,
    )

    try:
        query = query_from_lists(
            args.reporters, args.years, args.hs, args.monthly, args.flows, args.partners
        )
        settings = FetchSettings(base_url=args.base_url, max_attempts=args.max_attempts)
    except ValueError as error:
        print(f"critmin fetch comtrade: {error}", file=sys.stderr)
        return 2
    landing = landing_dir(args.out)
    done = 0

    def report(result: ChunkResult) -> None:
        nonlocal done
        done += 1
        where = f" -> {result.path}" if result.path else ""
        print(f"[{done}] {result.chunk_id}: {result.status}, {result.records} records{where}")

    try:
        summary = fetch_comtrade(query, landing, settings, on_chunk=report)
    except MissingApiKeyError as error:
        print(f"critmin fetch comtrade: {error}", file=sys.stderr)
        return 2
    except ComtradeApiError as error:
        print(f"critmin fetch comtrade: {error}", file=sys.stderr)
        return 1
    print(
        f"comtrade: {summary.records} records in {summary.raw_dir} "
        f"({len(summary.chunks)} chunks, {summary.requests} requests)"
    )
    return 0


SOURCE_PARSERS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (_add_comtrade,)
