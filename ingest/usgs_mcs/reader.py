"""A USGS MCS release folder: each CSV read by the world or the salient reader, by its header.

`world` reads the world production and reserves tables and holds the CSV text helpers;
`salient` reads the salient-statistics tables and builds on `world`; this module picks, per
file, which of the two reads it. Neither reader imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest._result import REJECT_SCHEMA, FileRead, ReadResult, SourceRead, empty_rejects
from ingest.usgs_mcs.salient import empty_salient_frame, read_salient_text
from ingest.usgs_mcs.world import (
    EXPECTED_HEADER,
    EXPECTED_SINGLE_HEADER,
    LAYOUT_CRITICAL_SALIENT,
    LAYOUT_SALIENT,
    UsgsFileError,
    clean_text,
    detect_layout,
    empty_world_frame,
    read_csv_text,
    read_world_text,
)

# --- folder ----------------------------------------------------------------------------------

# Files in a USGS release that carry no world or salient table, by name: name pattern -> reason.
IGNORED_FILES: dict[str, str] = {
    r"\.xml$": "metadata (FGDC XML), no data",
    r"\.txt$": "release notes (the 2024-03-06 unit revision is applied by the reader)",
    r"^MCS\d{4}_Fig\d+_": "trends-chapter figure data (chart series, no world/salient table)",
    r"^MCS\d{4}_T[1-4]_": (
        "trends-chapter table (industry/economic trends, state value ranks, end uses): "
        "aggregate tables outside the world and salient layouts"
    ),
}


def ignored_reason(name: str) -> str | None:
    """Why a file of a USGS release is not read (IGNORED_FILES), or None when it is read."""
    for pattern, reason in IGNORED_FILES.items():
        if re.search(pattern, name, re.IGNORECASE):
            return reason
    return None


@dataclass(frozen=True)
class UsgsFileResult:
    """One file of a USGS folder: which raw table its rows go to, the rows and the counts."""

    table: str
    result: ReadResult
    file: FileRead


def read_usgs_file(path: Path, source: str = "usgs_mcs") -> UsgsFileResult:
    """Read one USGS MCS CSV in whichever layout its header shows; a file that cannot be read
    becomes quarantined lines carrying the UsgsFileError message."""
    try:
        text = read_csv_text(path)
        layout = detect_layout(text.header)
        if layout in (LAYOUT_SALIENT, LAYOUT_CRITICAL_SALIENT):
            result, read = read_salient_text(path, text, source)
            return UsgsFileResult(table="usgs_mcs_salient", result=result, file=read)
        if layout is None:
            raise UsgsFileError(
                f"{path}, line 1: header starts `{','.join(c.strip() for c in text.header[:3])}`, "
                f"not a USGS MCS layout; expected `{EXPECTED_HEADER}`, "
                f"`{EXPECTED_SINGLE_HEADER}` or `DataSource,Commodity,Year,...`"
            )
        result, read = read_world_text(path, text, source)
        return UsgsFileResult(table="usgs_mcs_world", result=result, file=read)
    except UsgsFileError as error:
        rejects = whole_file_rejects(path, str(error))
        read = FileRead(
            path=path, rows_in=rejects.height, rows_loaded=0, rows_rejected=rejects.height
        )
        return UsgsFileResult(
            table="usgs_mcs_world",
            result=ReadResult(rows=empty_world_frame(), rejects=rejects),
            file=read,
        )


def whole_file_rejects(path: Path, reason: str) -> pl.DataFrame:
    """Every non-blank line after the header rejected with `reason` (line 1 when none)."""
    text = clean_text(
        path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    )
    physical = text.splitlines()
    numbered = [
        (number, line)
        for number, line in enumerate(physical, start=1)
        if number > 1 and line.strip(" ,;\t")
    ]
    if not numbered:
        numbered = [(1, physical[0] if physical else "")]
    return pl.DataFrame(
        {
            "source_file": [path.name] * len(numbered),
            "source_line": [number for number, _ in numbered],
            "reason": [reason] * len(numbered),
            "raw_record": [line for _, line in numbered],
        },
        schema=REJECT_SCHEMA,
    )


def usgs_csv_paths(folder: Path) -> list[Path]:
    """Every `.csv` file under `folder` (sub-folders included), sorted by relative path."""
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".csv"),
        key=lambda p: p.relative_to(folder).as_posix(),
    )


def read_usgs_folder(folder: Path, source: str = "usgs_mcs") -> SourceRead:
    """Read every CSV under `folder` (sub-folders included) in the layout its header shows.

    World files go to `usgs_mcs_world`, salient-statistics files to `usgs_mcs_salient`; files
    matching IGNORED_FILES and non-CSV files (metadata XML, release notes) are not read."""
    reads = [
        read_usgs_file(path, source)
        for path in usgs_csv_paths(folder)
        if ignored_reason(path.name) is None
    ]
    world = [r.result.rows for r in reads if r.table == "usgs_mcs_world" and r.result.rows.height]
    salient = [
        r.result.rows for r in reads if r.table == "usgs_mcs_salient" and r.result.rows.height
    ]
    rejects = [r.result.rejects for r in reads]
    return SourceRead(
        source=source,
        tables={
            "usgs_mcs_world": pl.concat(world) if world else empty_world_frame(),
            "usgs_mcs_salient": pl.concat(salient) if salient else empty_salient_frame(),
        },
        rejects=pl.concat(rejects) if rejects else empty_rejects(),
        files=tuple(r.file for r in reads),
    )
