"""Download a CEPII BACI release: one zip per HS revision, year files extracted into the landing
folder `baci/`.

The zip goes to `<landing>/baci/_downloads/BACI_<revision>_<release>.zip` through
`ingest.downloads` (streamed, SHA-256, resumable, conditional re-fetch); the requested years'
trade files and the country and product code files are then extracted beside it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.baci import COUNTRY_CODES_FILE, PRODUCT_CODES_FILE, SPEC
from ingest.downloads import (
    ArchiveError,
    DownloadError,
    DownloadResult,
    extract_zip_members,
    forget_download,
    zip_member_names,
)

# CEPII publishes each BACI release as one zip per HS revision at this address (release with its
# "V", e.g. V202501, V202401b). Override with --url or $CRITMIN_BACI_URL; {revision} and {release}
# are filled in when present.
DEFAULT_BACI_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_{revision}_{release}.zip"
BACI_URL_ENV = "CRITMIN_BACI_URL"
BACI_REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")

_BACI_YEAR = re.compile(r"^BACI_(HS\d{2})_Y(\d{4})_(V\w+)\.csv$", re.IGNORECASE)

DownloadFile = Callable[[str, Path], DownloadResult]


class BaciFetchError(RuntimeError):
    """A BACI fetch failed; the message says why and what to do. `bad_request`: the release,
    revision or years asked for cannot be met (a usage error), not a failed transfer."""

    def __init__(self, message: str, bad_request: bool = False) -> None:
        super().__init__(message)
        self.bad_request = bad_request


@dataclass(frozen=True)
class BaciFetch:
    archive: DownloadResult
    folder: Path
    extracted: tuple[Path, ...]


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


def landing_folder(landing: Path) -> Path:
    return Path(landing) / SPEC.folder


def archive_path(landing: Path, revision: str, release: str) -> Path:
    return landing_folder(landing) / "_downloads" / f"BACI_{revision}_{release}.zip"


def fetch_baci(
    url: str,
    landing: Path,
    revision: str,
    release: str,
    years: Sequence[int] | None,
    download_file: DownloadFile,
    *,
    on_archive: Callable[[DownloadResult], None] | None = None,
    on_member: Callable[[str], None] | None = None,
) -> BaciFetch:
    """Download the zip at `url` with `download_file(url, dest)` and extract the requested
    years' trade files and the code files into `<landing>/baci/`.

    `on_archive` is told when the zip is on disk, `on_member` per member extracted. A zip that
    cannot be read is deleted so that the next run fetches it anew. BaciFetchError otherwise.
    """
    folder = landing_folder(landing)
    archive = archive_path(landing, revision, release)
    try:
        result = download_file(url, archive)
    except DownloadError as error:
        advice = (
            f"; check --release, --revision and the URL (--url or ${BACI_URL_ENV})"
            if error.status == 404
            else ""
        )
        raise BaciFetchError(f"{error}{advice}") from None
    except OSError as error:
        raise BaciFetchError(f"cannot write {archive}: {error}") from None
    if on_archive is not None:
        on_archive(result)
    try:
        members, problems = select_baci_members(zip_member_names(archive), revision, years)
    except ArchiveError as error:
        forget_download(archive)
        raise BaciFetchError(
            f"{error}; the download was deleted, run the command again to fetch it anew (if this "
            f"repeats, check the URL {url})"
        ) from None
    if problems:
        raise BaciFetchError(f"{archive}: " + "; ".join(problems), bad_request=True)
    if result.status == "unchanged":
        members = [m for m in members if not _already_extracted(archive, m, folder)]
    try:
        extracted = extract_zip_members(archive, members, folder, on_member=on_member)
    except ArchiveError as error:
        forget_download(archive)
        raise BaciFetchError(
            f"{error}; the download was deleted, run the command again to fetch it anew"
        ) from None
    except OSError as error:
        raise BaciFetchError(f"cannot write into {folder}: {error}") from None
    return BaciFetch(archive=result, folder=folder, extracted=tuple(extracted))


def _already_extracted(archive: Path, member: str, folder: Path) -> bool:
    target = folder / PurePosixPath(member).name
    if not target.is_file():
        return False
    with zipfile.ZipFile(archive) as opened:
        return opened.getinfo(member).file_size == target.stat().st_size
