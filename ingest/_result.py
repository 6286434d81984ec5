"""The value every reader returns: good rows and rejected rows, nothing lost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
    "reason": pl.Utf8(),
    "raw_record": pl.Utf8(),
}


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def rejects_frame(records: list[dict[str, object]]) -> pl.DataFrame:
    """Build a rejects frame from dicts with the REJECT_SCHEMA keys."""
    return pl.DataFrame(records, schema=REJECT_SCHEMA) if records else empty_rejects()


@dataclass(frozen=True)
class ReadResult:
    """Rows a reader accepted and rows it rejected (file, line, reason, raw text)."""

    rows: pl.DataFrame
    rejects: pl.DataFrame

    @property
    def rows_rejected(self) -> int:
        return self.rejects.height

    def concat(self, other: ReadResult) -> ReadResult:
        return ReadResult(
            rows=pl.concat([self.rows, other.rows], how="diagonal_relaxed")
            if self.rows.width and other.rows.width
            else (self.rows if self.rows.width else other.rows),
            rejects=pl.concat([self.rejects, other.rejects]),
        )


@dataclass(frozen=True)
class FileRead:
    """What a reader did with one landing file: every data row read is loaded, rejected or out
    of scope (BACI rows outside the critical-mineral HS6 list, selected away, not rejected)."""

    path: Path
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    rows_out_of_scope: int = 0
    # SHA-256 of the file's bytes when the reader computed it while reading (the loader then
    # does not read the file a second time); None lets the loader compute it.
    checksum_sha256: str | None = None

    @property
    def source_file(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class SourceRead:
    """What one source's landing folder produced: raw tables by name, rejects, per-file counts.

    `tables` maps a raw table name (see docs/architecture.md) to its rows; a source whose folder is
    absent or empty still names its tables, with zero-row frames.
    """

    source: str
    tables: dict[str, pl.DataFrame]
    rejects: pl.DataFrame
    files: tuple[FileRead, ...]
