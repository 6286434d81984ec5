"""Tests for ingest.downloads against a local static-file server (127.0.0.1, in a thread).

`BulkServer` answers like the static-file servers that publish bulk data (Apache-style responses
for CEPII's zips, ScienceBase file downloads): `Content-Length`, `ETag`, `Last-Modified`,
`Accept-Ranges: bytes`, 206 partial content with `Content-Range` for `Range` (honouring `If-Range`),
304 for a matching `If-None-Match` / `If-Modified-Since`, 404 for an unknown path. Faults are
scripted per request: a status with headers (503 + Retry-After), or a body cut short of its
`Content-Length` before the connection closes. `tests/test_fetch_cli.py` imports it.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bulk_server import (
    LAST_MODIFIED,
    BulkServer,
    Fault,
    Resource,
    build_zip,
    corrupt_member,
)

from ingest.downloads import (
    MANIFEST_NAME,
    ArchiveError,
    DownloadError,
    DownloadSettings,
    ProgressBar,
    download,
    extract_zip_members,
    format_progress,
    part_path,
    recorded_downloads,
    sidecar_path,
    zip_member_names,
)
from ingest.http_client import retry_after_seconds


@pytest.fixture
def server() -> Iterator[BulkServer]:
    running = BulkServer()
    yield running
    running.close()


def payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def settings(**overrides: object) -> DownloadSettings:
    values: dict[str, object] = {
        "max_attempts": 3,
        "backoff_base_s": 0.5,
        "timeout_s": 5.0,
        "chunk_size": 16 * 1024,
    }
    return DownloadSettings(**(values | overrides))  # type: ignore[arg-type]


BODY = payload(200_000)
TARGET = "/DATA_DOWNLOAD/baci/data/BACI_HS17_V202501.zip"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_full_download_streams_to_disk_with_checksum_sidecar_and_manifest(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    dest = tmp_path / "_downloads" / "BACI_HS17_V202501.zip"
    sleeps: list[float] = []
    result = download(server.url(TARGET), dest, settings(), sleep=sleeps.append)

    expected = hashlib.sha256(BODY).hexdigest()
    assert result.sha256 == expected
    assert (result.status, result.size, result.attempts) == ("downloaded", len(BODY), 1)
    assert dest.read_bytes() == BODY
    assert sidecar_path(dest).read_text() == f"{expected}  BACI_HS17_V202501.zip\n"
    entry = recorded_downloads(dest.parent)[dest.name]
    assert entry["url"] == server.url(TARGET)
    assert (entry["size"], entry["sha256"]) == (len(BODY), expected)
    assert (entry["etag"], entry["last_modified"]) == ('"4a3f-62b9c1d2e3f40"', LAST_MODIFIED)
    (request,) = server.requests
    assert request.headers["accept-encoding"] == "identity"
    assert "range" not in request.headers and "if-none-match" not in request.headers
    assert sleeps == []
    assert leftovers(dest.parent) == []


def test_progress_callback_sees_increasing_byte_counts_and_the_final_total(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    calls: list[tuple[int, int | None]] = []
    download(
        server.url(TARGET),
        tmp_path / "a.zip",
        settings(),
        on_progress=lambda done, total: calls.append((done, total)),
    )
    counts = [done for done, _ in calls]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    assert len(calls) >= len(BODY) // (16 * 1024)
    assert {total for _, total in calls} == {len(BODY)}
    assert calls[-1] == (len(BODY), len(BODY))


def test_truncated_body_is_resumed_with_a_range_request(tmp_path: Path, server: BulkServer) -> None:
    server.resources[TARGET] = Resource(BODY)
    server.faults[TARGET] = [Fault(cut_after=70_000)]
    dest = tmp_path / "a.zip"
    sleeps: list[float] = []
    calls: list[int] = []
    result = download(
        server.url(TARGET),
        dest,
        settings(),
        sleep=sleeps.append,
        on_progress=lambda done, total: calls.append(done),
    )

    first, second = server.requests
    assert "range" not in first.headers
    assert second.headers["range"] == "bytes=70000-"
    assert second.headers["if-range"] == '"4a3f-62b9c1d2e3f40"'
    assert second.status == 206
    assert sleeps == [0.5]
    assert (result.status, result.attempts) == ("resumed", 2)
    assert dest.read_bytes() == BODY
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()
    # The second pass continues the count where the first stopped.
    assert 70_000 in calls and calls[-1] == len(BODY)
    assert leftovers(tmp_path) == []


def test_truncated_body_restarts_when_the_server_ignores_range(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY, ranges=False)
    server.faults[TARGET] = [Fault(cut_after=70_000)]
    dest = tmp_path / "a.zip"
    result = download(server.url(TARGET), dest, settings(), sleep=lambda s: None)

    first, second = server.requests
    assert second.headers["range"] == "bytes=70000-"
    assert second.status == 200  # the whole body again
    assert result.status == "downloaded"
    assert dest.read_bytes() == BODY
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()


def test_truncated_every_time_fails_clearly_and_a_rerun_resumes(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    server.faults[TARGET] = [Fault(cut_after=10_000)] * 3
    dest = tmp_path / "a.zip"
    with pytest.raises(DownloadError) as caught:
        download(server.url(TARGET), dest, settings(), sleep=lambda s: None)
    message = str(caught.value)
    assert server.url(TARGET) in message
    assert "gave up after 3 attempts" in message
    assert f"truncated body: received 30000 of {len(BODY)} bytes" in message
    assert "the next run resumes from there" in message
    assert not dest.exists()
    assert part_path(dest).read_bytes() == BODY[:30_000]
    assert [r.headers.get("range") for r in server.requests] == [
        None,
        "bytes=10000-",
        "bytes=20000-",
    ]

    result = download(server.url(TARGET), dest, settings(), sleep=lambda s: None)
    assert server.requests[-1].headers["range"] == "bytes=30000-"
    assert result.status == "resumed"
    assert dest.read_bytes() == BODY
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()


def test_service_unavailable_waits_as_long_as_retry_after_says(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    busy = b"<html><body>Service Temporarily Unavailable</body></html>"
    server.faults[TARGET] = [Fault(503, {"Retry-After": "2", "Content-Type": "text/html"}, busy)]
    sleeps: list[float] = []
    result = download(
        server.url(TARGET), tmp_path / "a.zip", settings(backoff_base_s=0.1), sleep=sleeps.append
    )
    assert sleeps == [2.0]
    assert [r.status for r in server.requests] == [503, 200]
    assert result.attempts == 2


def test_server_errors_back_off_exponentially(tmp_path: Path, server: BulkServer) -> None:
    server.resources[TARGET] = Resource(BODY)
    server.faults[TARGET] = [Fault(500), Fault(429)]
    sleeps: list[float] = []
    download(server.url(TARGET), tmp_path / "a.zip", settings(), sleep=sleeps.append)
    assert sleeps == [0.5, 1.0]


def test_not_found_fails_at_once_naming_url_and_status(tmp_path: Path, server: BulkServer) -> None:
    sleeps: list[float] = []
    url = server.url("/DATA_DOWNLOAD/baci/data/BACI_HS17_V209901.zip")
    with pytest.raises(DownloadError) as caught:
        download(url, tmp_path / "a.zip", settings(), sleep=sleeps.append)
    assert str(caught.value) == f"GET {url}: HTTP 404 Not Found"
    assert caught.value.status == 404
    assert len(server.requests) == 1
    assert sleeps == []
    assert list(tmp_path.iterdir()) == []


def test_rerun_with_unchanged_etag_gets_304_and_keeps_the_file(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    dest = tmp_path / "a.zip"
    first = download(server.url(TARGET), dest, settings())
    stamp = dest.stat().st_mtime_ns

    again = download(server.url(TARGET), dest, settings())
    conditional = server.requests[1]
    assert conditional.headers["if-none-match"] == '"4a3f-62b9c1d2e3f40"'
    assert conditional.headers["if-modified-since"] == LAST_MODIFIED
    assert "range" not in conditional.headers
    assert conditional.status == 304
    assert (again.status, again.sha256, again.size) == ("unchanged", first.sha256, len(BODY))
    assert dest.stat().st_mtime_ns == stamp
    assert dest.read_bytes() == BODY


def test_rerun_after_the_file_changed_on_the_server_replaces_it(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    dest = tmp_path / "a.zip"
    download(server.url(TARGET), dest, settings())
    newer = payload(120_000, seed=8)
    server.resources[TARGET] = Resource(newer, etag='"77aa-630000000"')

    result = download(server.url(TARGET), dest, settings())
    assert server.requests[1].status == 200
    assert result.status == "downloaded"
    assert dest.read_bytes() == newer
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["files"]["a.zip"]["sha256"] == hashlib.sha256(newer).hexdigest()
    assert manifest["files"]["a.zip"]["etag"] == '"77aa-630000000"'


def test_a_file_edited_on_disk_is_downloaded_again_without_conditions(
    tmp_path: Path, server: BulkServer
) -> None:
    server.resources[TARGET] = Resource(BODY)
    dest = tmp_path / "a.zip"
    download(server.url(TARGET), dest, settings())
    dest.write_bytes(BODY[:1000])
    download(server.url(TARGET), dest, settings())
    assert "if-none-match" not in server.requests[1].headers
    assert dest.read_bytes() == BODY


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 15, 9, 30, 0, tzinfo=UTC)
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("Wed, 15 Jan 2025 09:30:05 GMT", now) == 5.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_extract_copies_only_the_chosen_members(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    archive.write_bytes(build_zip({"a.csv": b"t,i\n1,2\n", "sub/b.csv": b"x\n", "c.txt": b"c"}))
    out = tmp_path / "out"
    assert zip_member_names(archive) == ["a.csv", "sub/b.csv", "c.txt"]
    written = extract_zip_members(archive, ["sub/b.csv", "a.csv"], out)
    assert written == [out / "b.csv", out / "a.csv"]
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv"]
    assert (out / "a.csv").read_bytes() == b"t,i\n1,2\n"


def test_a_corrupt_member_extracts_nothing(tmp_path: Path) -> None:
    good, bad = b"t,i,j\n" + b"2023,156,699\n" * 50, b"t,i,j\n" + b"2022,842,251\n" * 50
    data = build_zip({"good.csv": good, "bad.csv": bad}, zipfile.ZIP_STORED)
    archive = tmp_path / "x.zip"
    archive.write_bytes(corrupt_member(data, bad))
    out = tmp_path / "out"
    out.mkdir()
    (out / "good.csv").write_bytes(b"older copy\n")
    with pytest.raises(ArchiveError, match=r"member bad\.csv: Bad CRC-32.*nothing was extracted"):
        extract_zip_members(archive, ["good.csv", "bad.csv"], out)
    assert sorted(p.name for p in out.iterdir()) == ["good.csv"]
    assert (out / "good.csv").read_bytes() == b"older copy\n"


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "x.zip"
    page.write_bytes(b"<!DOCTYPE html><html><body>Maintenance</body></html>")
    with pytest.raises(ArchiveError, match=r"not a zip archive"):
        zip_member_names(page)


def test_progress_bar_draws_bytes_percent_and_rate() -> None:
    assert format_progress(25_000_000, 100_000_000, 5_000_000, width=10) == (
        "[##........] 25.0/100.0 MB  25% 5.0 MB/s"
    )
    assert format_progress(3_000_000, None, 1_500_000, width=4) == "[????] 3.0 MB 1.5 MB/s"

    ticks = iter([0.0, 0.05, 1.0, 1.01, 2.0])
    stream = io.StringIO()
    bar = ProgressBar("a.zip", stream, clock=lambda: next(ticks), min_interval_s=0.2)
    for done in (0, 1_000_000, 2_000_000, 3_000_000, 4_000_000):
        bar(done, 4_000_000)
    bar.finish()
    lines = stream.getvalue().split("\r")[1:]
    # Drawn at 0 s, 1.0 s and at 100% (the 0.05 s and 1.01 s updates are throttled).
    assert len(lines) == 3
    assert lines[1].startswith("a.zip [") and " 50% 2.0 MB/s" in lines[1]
    assert lines[2].endswith("100% 2.0 MB/s\n")
