"""Download the world production and reserves CSVs of one USGS MCS data release into the
landing folder `usgs_mcs/`: one `mcs<edition>-<code>_world.csv` per commodity (2022-2024), or
the single `MCS2025_World_Data.csv` (2025), each through `ingest.downloads`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.downloads import DownloadError, DownloadResult
from ingest.usgs_mcs import SPEC

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

DownloadFile = Callable[[str, Path], DownloadResult]


@dataclass(frozen=True)
class UsgsFetch:
    folder: Path
    planned: int
    results: tuple[DownloadResult, ...] = ()
    failures: tuple[str, ...] = field(default_factory=tuple)


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


def plan_usgs_downloads(
    edition: int, commodities: Sequence[str], template: str, item: str | None
) -> list[tuple[str, str]]:
    """(file name, URL) of every file of the edition to download; ValueError (naming what to
    pass) when the template needs an item id none is known for, or has a bad placeholder."""
    item = item or USGS_SCIENCEBASE_ITEMS.get(edition)
    if "{item}" in template and not item:
        raise ValueError(
            f"the URL template {template} needs a ScienceBase item id for edition {edition}: "
            "pass --item ID (the item holding the files, see the data release's DOI landing "
            "page) or --url-template with {file}"
        )
    files = usgs_files(edition, commodities)
    return [(name, usgs_url(template, edition, name, code, item)) for name, code in files]


def landing_folder(landing: Path) -> Path:
    return Path(landing) / SPEC.folder


def fetch_usgs(
    plan: Sequence[tuple[str, str]],
    landing: Path,
    download_file: DownloadFile,
    *,
    on_file: Callable[[DownloadResult], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> UsgsFetch:
    """Download each (file name, URL) of `plan` into `<landing>/usgs_mcs/` with
    `download_file(url, dest)`; a file that fails is reported (`on_failure`, the message) and
    the others are still fetched."""
    folder = landing_folder(landing)
    results: list[DownloadResult] = []
    failures: list[str] = []
    for name, url in plan:
        try:
            result = download_file(url, folder / name)
        except DownloadError as error:
            failures.append(str(error))
            if on_failure is not None:
                on_failure(str(error))
            continue
        except OSError as error:
            failures.append(f"{name}: {error}")
            if on_failure is not None:
                on_failure(f"cannot write {folder / name}: {error}")
            continue
        results.append(result)
        if on_file is not None:
            on_file(result)
    return UsgsFetch(
        folder=folder, planned=len(plan), results=tuple(results), failures=tuple(failures)
    )
