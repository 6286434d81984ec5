"""Streaming downloads of published bulk files (CEPII BACI zips, USGS MCS CSVs), resumable.

Built on `ingest.http_client` (the GET, its retries, atomic writes and the manifest); the
sources' downloads (`ingest.baci.download`, `ingest.usgs_mcs.download`) call `download` here.

`download(url, dest)` streams a URL to `dest` in blocks (`DownloadSettings.chunk_size`), never
holding the body in memory, computing its SHA-256 while the bytes arrive and reporting progress
through a callback `(bytes_done, total_or_None)`.

Files on disk, next to `dest`:
- `.<name>.part` collects the body while it arrives; `.<name>.part.json` records the URL and the
  validators (ETag, Last-Modified) and size the server announced for it. A finished body is
  renamed onto `dest` (atomic on one file system), so `dest` is never a half-written file.
- `<name>.sha256` holds the SHA-256 of `dest` in `sha256sum` format (`sha256sum -c` checks it).
- `_downloads.json` (one per folder) records per file: url, size, sha256, etag, last_modified,
  fetched_at. A re-run whose file is recorded and unchanged on disk sends a conditional GET
  (`If-None-Match` / `If-Modified-Since`); HTTP 304 keeps the file without a new download.

Failures:
- HTTP 429 and 5xx, timeouts, connection errors and a body shorter than its `Content-Length`
  are retried up to `max_attempts` with exponential backoff (`backoff_base_s` x 2^(n-1), at most
  `backoff_max_s`); when the server sends `Retry-After` (seconds or an HTTP date) the wait is at
  least that.
- After an interrupted body the next attempt asks for the rest (`Range: bytes=N-`, with
  `If-Range` carrying the validator the partial body was fetched under). A server that honours it
  answers 206 and the body is appended; one that does not answers 200 and the download restarts
  from byte 0. The partial file survives a failed run, so the next run resumes it too.
- Any other 4xx fails at once: DownloadError names the URL and the status.

Zip archives: `zip_member_names` checks that a file is a readable zip; `extract_zip_members`
copies chosen members out in blocks (CRC checked by zipfile while streaming), staging each under a
temporary name and renaming them into place only after every member was read intact, so a corrupt
archive leaves nothing new in the landing folder.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ingest.http_client import (
    HttpStatusError,
    ManifestError,
    RetriesExhausted,
    RetryableError,
    open_get,
    read_json,
    read_manifest,
    with_retries,
    write_atomically,
    write_json,
    write_manifest,
)

MANIFEST_NAME = "_downloads.json"

Progress = Callable[[int, int | None], None]

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)


class DownloadError(RuntimeError):
    """A download failed for good; the message names the URL, why, and what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ArchiveError(ValueError):
    """A downloaded file is not a readable zip archive, or a member of it is corrupt."""


@dataclass(frozen=True)
class DownloadSettings:
    max_attempts: int = 5
    backoff_base_s: float = 2.0
    backoff_max_s: float = 120.0
    timeout_s: float = 60.0
    chunk_size: int = 1 << 20

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts {self.max_attempts}, expected at least 1")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size {self.chunk_size}, expected at least 1")


@dataclass(frozen=True)
class DownloadResult:
    """`status`: `downloaded` (whole body this run), `resumed` (a partial body was completed
    with a Range request) or `unchanged` (HTTP 304, the recorded file was kept)."""

    url: str
    path: Path
    status: str
    size: int
    sha256: str
    attempts: int
    etag: str | None = None
    last_modified: str | None = None


def sidecar_path(dest: Path) -> Path:
    """`<dest>.sha256`: the file's SHA-256 in `sha256sum` format."""
    return dest.with_name(f"{dest.name}.sha256")


def part_path(dest: Path) -> Path:
    """Where the body of `dest` collects while it arrives (kept after a failure, for resume)."""
    return dest.with_name(f".{dest.name}.part")


def _part_meta_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.part.json")


def download(
    url: str,
    dest: Path,
    settings: DownloadSettings | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_progress: Progress | None = None,
) -> DownloadResult:
    """Download `url` to `dest` (see the module docstring); DownloadError when it fails for good.

    A partial body is kept on failure and the next call resumes it."""
    settings = settings or DownloadSettings()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    known = _recorded_entry(dest, url)
    resumed = False

    def attempt(_number: int) -> _Outcome:
        nonlocal resumed
        outcome = _attempt(url, dest, known, settings, on_progress)
        resumed = resumed or outcome.resumed
        return outcome

    try:
        outcome, attempts = with_retries(attempt, settings, sleep=sleep)
    except RetriesExhausted as exhausted:
        part = part_path(dest)
        kept = part.stat().st_size if part.is_file() else 0
        advice = (
            f"{kept} bytes are kept in {part} and the next run resumes from there"
            if kept
            else "run the command again later"
        )
        raise DownloadError(
            f"GET {url}: gave up after {settings.max_attempts} attempts, last failure: "
            f"{exhausted.reason}; {advice}"
        ) from None
    if outcome.unchanged and known is not None:
        return DownloadResult(
            url=url,
            path=dest,
            status="unchanged",
            size=int(known["size"]),
            sha256=str(known["sha256"]),
            attempts=attempts,
            etag=known.get("etag"),
            last_modified=known.get("last_modified"),
        )
    return _finish(url, dest, outcome, "resumed" if resumed else "downloaded", attempts)


@dataclass
class _Outcome:
    unchanged: bool = False
    resumed: bool = False
    size: int = 0
    sha256: str = ""
    etag: str | None = None
    last_modified: str | None = None


def _attempt(
    url: str,
    dest: Path,
    known: Mapping[str, Any] | None,
    settings: DownloadSettings,
    on_progress: Progress | None,
) -> _Outcome:
    """One GET: 304 -> unchanged; 200/206 -> the body streamed into the part file."""
    part, meta_path = part_path(dest), _part_meta_path(dest)
    meta = read_json(meta_path)
    offset = part.stat().st_size if part.is_file() else 0
    if offset and (meta is None or meta.get("url") != url):
        _discard_part(dest)
        offset, meta = 0, None
    headers = {"Accept-Encoding": "identity"}
    if offset and meta is not None:
        headers["Range"] = f"bytes={offset}-"
        validator = _if_range_validator(meta)
        if validator:
            headers["If-Range"] = validator
    elif known is not None:
        if known.get("etag"):
            headers["If-None-Match"] = str(known["etag"])
        if known.get("last_modified"):
            headers["If-Modified-Since"] = str(known["last_modified"])
    try:
        response = open_get(url, headers, settings.timeout_s)
    except HttpStatusError as error:
        if error.status == 304 and known is not None and "Range" not in headers:
            return _Outcome(unchanged=True)
        if error.status == 416 and offset:
            _discard_part(dest)
            raise RetryableError(
                f"HTTP 416: the server refused to resume from byte {offset}; restarting"
            ) from None
        if error.retryable:
            raise RetryableError(str(error), error.retry_after_s) from None
        raise DownloadError(f"GET {url}: {error}", status=error.status) from None
    with response:
        return _receive(response, url, dest, offset, meta, settings, on_progress)


def _receive(
    response: http.client.HTTPResponse,
    url: str,
    dest: Path,
    offset: int,
    meta: Mapping[str, Any] | None,
    settings: DownloadSettings,
    on_progress: Progress | None,
) -> _Outcome:
    part = part_path(dest)
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    length = _int_or_none(response.headers.get("Content-Length"))
    resumed = False
    if response.status == 206 and offset:
        start, total = _content_range(response.headers.get("Content-Range"))
        expected_total = meta.get("total") if meta else None
        if start != offset or (expected_total is not None and total != expected_total):
            _discard_part(dest)
            raise RetryableError(
                f"the server resumed at byte {start} of {total}, asked for byte {offset} of "
                f"{expected_total}; restarting"
            )
        resumed = True
        etag = etag or (meta.get("etag") if meta else None)
        last_modified = last_modified or (meta.get("last_modified") if meta else None)
    elif response.status == 200:
        offset = 0
        total = length
    else:
        raise RetryableError(f"unexpected HTTP {response.status} for a GET")
    write_json(
        _part_meta_path(dest),
        {"url": url, "etag": etag, "last_modified": last_modified, "total": total},
    )
    hasher = hashlib.sha256()
    if offset:
        _hash_file(part, hasher, settings.chunk_size)
    done = offset
    if on_progress is not None:
        on_progress(done, total)
    with part.open("ab" if offset else "wb") as out:
        while True:
            block = _read_block(response, settings.chunk_size, done, total)
            if not block:
                break
            out.write(block)
            hasher.update(block)
            done += len(block)
            if on_progress is not None:
                on_progress(done, total)
        out.flush()
        os.fsync(out.fileno())
    if total is not None and done != total:
        if done > total:
            _discard_part(dest)
            raise RetryableError(f"received {done} bytes, more than the {total} announced")
        raise RetryableError(f"truncated body: received {done} of {total} bytes")
    return _Outcome(
        resumed=resumed,
        size=done,
        sha256=hasher.hexdigest(),
        etag=etag,
        last_modified=last_modified,
    )


def _read_block(
    response: http.client.HTTPResponse, size: int, done: int, total: int | None
) -> bytes:
    """The next block of the body; a network failure becomes retryable, the bytes so far stay."""
    of_total = f" of {total}" if total is not None else ""
    try:
        return response.read(size)
    except http.client.IncompleteRead as error:
        received = done + len(error.partial)
        raise RetryableError(f"truncated body: received {received}{of_total} bytes") from None
    except TimeoutError:
        raise RetryableError(f"stalled after {done}{of_total} bytes (timeout)") from None
    except (OSError, http.client.HTTPException) as error:
        raise RetryableError(
            f"connection lost after {done}{of_total} bytes: {type(error).__name__}"
        ) from None


def _finish(url: str, dest: Path, outcome: _Outcome, status: str, attempts: int) -> DownloadResult:
    os.replace(part_path(dest), dest)
    write_atomically(sidecar_path(dest), f"{outcome.sha256}  {dest.name}\n".encode())
    entry = {
        "url": url,
        "size": outcome.size,
        "sha256": outcome.sha256,
        "etag": outcome.etag,
        "last_modified": outcome.last_modified,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _update_manifest(dest.parent, dest.name, entry)
    _part_meta_path(dest).unlink(missing_ok=True)
    return DownloadResult(
        url=url,
        path=dest,
        status=status,
        size=outcome.size,
        sha256=outcome.sha256,
        attempts=attempts,
        etag=outcome.etag,
        last_modified=outcome.last_modified,
    )


def forget_download(dest: Path) -> None:
    """Delete `dest`, its sidecar, partial body and manifest entry: the next run fetches anew."""
    for path in (dest, sidecar_path(dest)):
        path.unlink(missing_ok=True)
    _discard_part(dest)
    _update_manifest(dest.parent, dest.name, None)


def recorded_downloads(folder: Path) -> dict[str, dict[str, Any]]:
    """The `_downloads.json` entries of `folder`, by file name ({} when there is none, or when
    it is unreadable: the files are then fetched anew)."""
    try:
        return dict(read_manifest(folder / MANIFEST_NAME, "files"))
    except ManifestError:
        return {}


def _recorded_entry(dest: Path, url: str) -> dict[str, Any] | None:
    """The manifest entry of `dest` when it describes the file on disk fetched from `url`."""
    entry = recorded_downloads(dest.parent).get(dest.name)
    if not entry or entry.get("url") != url or not dest.is_file():
        return None
    if entry.get("size") != dest.stat().st_size or not entry.get("sha256"):
        return None
    return entry


def _update_manifest(folder: Path, name: str, entry: Mapping[str, Any] | None) -> None:
    files = recorded_downloads(folder)
    if entry is None:
        if name not in files:
            return
        files.pop(name)
    else:
        files[name] = dict(entry)
    write_manifest(folder / MANIFEST_NAME, "files", files)


def _if_range_validator(meta: Mapping[str, Any]) -> str | None:
    """A strong ETag, else Last-Modified: what `If-Range` may carry (RFC 9110 13.1.5)."""
    etag = meta.get("etag")
    if etag and not str(etag).startswith("W/"):
        return str(etag)
    last_modified = meta.get("last_modified")
    return str(last_modified) if last_modified else None


def _content_range(value: str | None) -> tuple[int, int | None]:
    match = _CONTENT_RANGE.fullmatch((value or "").strip())
    if not match:
        raise RetryableError(f"HTTP 206 with Content-Range {value!r}, expected bytes N-M/TOTAL")
    total = match.group(3)
    return int(match.group(1)), None if total == "*" else int(total)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _discard_part(dest: Path) -> None:
    part_path(dest).unlink(missing_ok=True)
    _part_meta_path(dest).unlink(missing_ok=True)


def _hash_file(path: Path, hasher: Any, chunk_size: int) -> None:
    with path.open("rb") as handle:
        while block := handle.read(chunk_size):
            hasher.update(block)


# --- zip archives ----------------------------------------------------------------------------


def zip_member_names(archive: Path) -> list[str]:
    """The member names of `archive`; ArchiveError when it is not a readable zip."""
    if not zipfile.is_zipfile(archive):
        raise ArchiveError(
            f"{archive}: not a zip archive (no zip directory found; the server may have sent "
            "an error page or the file is damaged)"
        )
    try:
        with zipfile.ZipFile(archive) as opened:
            return [info.filename for info in opened.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{archive}: unreadable zip archive ({error})") from None


def extract_zip_members(
    archive: Path,
    members: Sequence[str],
    dest_dir: Path,
    *,
    chunk_size: int = 1 << 20,
    on_member: Callable[[str], None] | None = None,
) -> list[Path]:
    """Copy `members` of `archive` into `dest_dir` under their base names, all or nothing.

    Each member is streamed into a temporary file in `dest_dir` (zipfile checks its CRC-32 as it
    is read); only when every member was read intact are they renamed into place. ArchiveError
    names the member at fault; then no file of `members` is added or replaced in `dest_dir`."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    current: Path | None = None
    name = ""
    try:
        with zipfile.ZipFile(archive) as opened:
            for name in members:
                target = dest_dir / PurePosixPath(name).name
                current = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                with opened.open(name) as source, current.open("wb") as out:
                    shutil.copyfileobj(source, out, chunk_size)
                    out.flush()
                    os.fsync(out.fileno())
                staged.append((current, target))
                current = None
                if on_member is not None:
                    on_member(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError) as error:
        for temporary in [t for t, _ in staged] + ([current] if current else []):
            temporary.unlink(missing_ok=True)
        where = f"member {name}: " if name else ""
        raise ArchiveError(f"{archive}: {where}{error}; nothing was extracted") from None
    for temporary, target in staged:
        os.replace(temporary, target)
    return [target for _, target in staged]


# --- progress --------------------------------------------------------------------------------


def format_progress(done: int, total: int | None, rate_bytes_s: float, width: int = 30) -> str:
    """`[#########.....]  12.3/45.6 MB  27%  3.4 MB/s` (no bar or percent when total is unknown)."""
    rate = f"{rate_bytes_s / 1e6:.1f} MB/s"
    if total:
        fraction = min(1.0, done / total)
        filled = int(fraction * width)
        bar = "#" * filled + "." * (width - filled)
        return f"[{bar}] {done / 1e6:.1f}/{total / 1e6:.1f} MB {fraction:4.0%} {rate}"
    return f"[{'?' * width}] {done / 1e6:.1f} MB {rate}"


class ProgressBar:
    """A `Progress` callback drawing one text line on `stream` (stderr by default), redrawn at
    most every `min_interval_s` seconds and always at 100%; `finish()` ends the line."""

    def __init__(
        self,
        label: str,
        stream: IO[str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        min_interval_s: float = 0.2,
    ) -> None:
        self.label = label
        self.stream = stream
        self.clock = clock
        self.min_interval_s = min_interval_s
        self._started: float | None = None
        self._start_bytes = 0
        self._last_draw = float("-inf")
        self._drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = self.clock()
        if self._started is None:
            self._started, self._start_bytes = now, done
        complete = total is not None and done >= total
        if not complete and now - self._last_draw < self.min_interval_s:
            return
        elapsed = max(now - self._started, 1e-6)
        rate = (done - self._start_bytes) / elapsed
        stream = self.stream or sys.stderr
        stream.write(f"\r{self.label} {format_progress(done, total, rate)}")
        stream.flush()
        self._last_draw = now
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            (self.stream or sys.stderr).write("\n")
            self._drawn = False
