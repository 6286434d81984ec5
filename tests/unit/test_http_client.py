"""ingest.http_client: the retry loop, manifests and atomic writes every download shares.

The GET itself is exercised against local HTTP servers by tests/test_downloads.py (bulk files),
tests/test_comtrade_api.py (the Comtrade API) and tests/test_fetch_cli.py (the commands).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from repo_paths import REPO

from ingest.http_client import (
    ManifestError,
    RetriesExhausted,
    RetryableError,
    read_manifest,
    retry_delay,
    with_retries,
    write_atomically,
    write_manifest,
)

ROOT = REPO


@dataclass(frozen=True)
class Settings:
    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 5.0


def test_with_retries_returns_the_first_success_and_waits_between_failures() -> None:
    """Attempts 1 and 2 fail (the second asks for 7 s), attempt 3 succeeds: waits are the
    backoff 1 s, then max(2 s backoff, 7 s asked) = 7 s."""
    slept: list[float] = []
    told: list[tuple[int, str, float]] = []

    def attempt(number: int) -> str:
        if number == 1:
            raise RetryableError("HTTP 503 Service Unavailable")
        if number == 2:
            raise RetryableError("HTTP 429 Too Many Requests", wait_hint_s=7.0)
        return "body"

    result = with_retries(
        attempt, Settings(), sleep=slept.append, on_retry=lambda *a: told.append(a)
    )
    assert result == ("body", 3)
    assert slept == [1.0, 7.0]
    assert told == [
        (1, "HTTP 503 Service Unavailable", 1.0),
        (2, "HTTP 429 Too Many Requests", 7.0),
    ]


def test_with_retries_gives_up_naming_the_last_failure_described() -> None:
    slept: list[float] = []

    def attempt(number: int) -> str:
        raise RetryableError(f"network error: key s3cret failed on attempt {number}")

    with pytest.raises(RetriesExhausted) as caught:
        with_retries(
            attempt,
            Settings(max_attempts=3),
            sleep=slept.append,
            describe=lambda error: str(error).replace("s3cret", "[redacted]"),
        )
    assert caught.value.attempts == 3
    assert caught.value.reason == "network error: key [redacted] failed on attempt 3"
    assert "s3cret" not in str(caught.value)
    assert slept == [1.0, 2.0]  # no wait after the last attempt


def test_a_failure_that_is_not_retryable_propagates_at_once() -> None:
    calls: list[int] = []

    def attempt(number: int) -> str:
        calls.append(number)
        raise ValueError("HTTP 404")

    with pytest.raises(ValueError, match="HTTP 404"):
        with_retries(attempt, Settings(), sleep=lambda s: None)
    assert calls == [1]


def test_retry_delay_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, Settings(), None) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_manifest_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "_manifest.json"
    assert read_manifest(path, "files") == {}
    write_manifest(path, "files", {"b.csv": {"size": 2}, "a.csv": {"size": 1}})
    assert json.loads(path.read_text()) == {
        "format": 1,
        "files": {"a.csv": {"size": 1}, "b.csv": {"size": 2}},
    }
    assert list(read_manifest(path, "files")) == ["a.csv", "b.csv"]
    with pytest.raises(ManifestError, match="expected an object with `chunks`"):
        read_manifest(path, "chunks")
    path.write_text('{"format": 1, "files": {')
    with pytest.raises(ManifestError, match=r"_manifest.json: not valid JSON"):
        read_manifest(path, "files")
    assert [p.name for p in tmp_path.iterdir()] == ["_manifest.json"]  # no temporary left


def test_write_atomically_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(b"old and longer")
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["body.json"]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_http_client_opens_urls() -> None:
    """Every download goes through ingest.http_client: no other module of critmin's packages
    imports urllib.request (urllib.parse, which builds query strings, is fine)."""
    openers = sorted(
        str(path.relative_to(ROOT))
        for package in ("ingest", "critmin", "orchestration", "warehouse")
        for path in (ROOT / package).rglob("*.py")
        if "urllib.request" in _imported_modules(path)
    )
    assert openers == ["ingest/http_client.py"]
