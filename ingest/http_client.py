"""The HTTP client every download uses: GET with classified failures, retries with backoff,
atomic file writes and JSON manifests.

- `open_get(url, headers, timeout_s)` opens a GET and returns the response to stream from;
  `get_bytes` reads a whole (small) body. A status other than 2xx raises `HttpStatusError`
  (status, reason, headers, the start of the body); timeouts, network and connection failures,
  and a body cut short raise `RetryableError`.
- `HttpStatusError.retryable`: HTTP 429 and 5xx are worth another attempt; any other 4xx is not.
- `with_retries(attempt, settings)` calls `attempt(n)` until it returns, retrying on
  `RetryableError` up to `settings.max_attempts` with exponential backoff (`backoff_base_s` x
  2^(n-1), at most `backoff_max_s`), waiting at least what the server asked for (the error's
  `wait_hint_s`, e.g. `Retry-After`); `RetriesExhausted` names the last failure.
- `write_atomically(path, data)`: a temporary file in the same folder, fsynced, renamed onto
  `path`, so a reader never sees a half-written file.
- `read_manifest` / `write_manifest`: a JSON document `{"format": 1, "<section>": {...}}` beside
  the downloaded files, recording what was fetched so a re-run skips or resumes it.

No secret passes through here into a message: callers that send one (the Comtrade key) redact
the messages they raise.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

USER_AGENT = "critmin-fetch/0.1 (python-urllib)"
MANIFEST_FORMAT = 1
# How much of an error response's body is kept for its message.
_ERROR_BODY_BYTES = 64 << 10

T = TypeVar("T")


class RetryableError(Exception):
    """An attempt failed in a way another attempt may not: the reason, and how long the server
    asked to wait (None when it did not say)."""

    def __init__(self, reason: str, wait_hint_s: float | None = None) -> None:
        super().__init__(reason)
        self.wait_hint_s = wait_hint_s


class HttpStatusError(Exception):
    """The server answered with a status other than 2xx."""

    def __init__(
        self, url: str, status: int, reason: str, headers: Mapping[str, str], body: str
    ) -> None:
        super().__init__(f"HTTP {status} {reason}".rstrip())
        self.url = url
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    @property
    def retryable(self) -> bool:
        """HTTP 429 (too many requests) and 5xx (server errors) are worth another attempt."""
        return self.status == 429 or self.status >= 500

    @property
    def retry_after_s(self) -> float | None:
        return retry_after_seconds(self.headers.get("Retry-After"))


class RetriesExhausted(Exception):
    """Every attempt failed; `reason` is the last failure, `attempts` how many were made."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(f"gave up after {attempts} attempts, last failure: {reason}")
        self.reason = reason
        self.attempts = attempts


class Backoff(Protocol):
    """How often to try and how long to wait between tries (the settings of each download)."""

    max_attempts: int
    backoff_base_s: float
    backoff_max_s: float


def retry_delay(attempt: int, settings: Backoff, wait_hint_s: float | None) -> float:
    """Seconds to wait after failed attempt `attempt` (1-based): exponential backoff, at least
    what the server asked for."""
    backoff = min(settings.backoff_max_s, settings.backoff_base_s * 2 ** (attempt - 1))
    return max(backoff, wait_hint_s or 0.0)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: a number of seconds, or an HTTP date (seconds until then)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def with_retries(
    attempt: Callable[[int], T],
    settings: Backoff,
    *,
    sleep: Callable[[float], None] = time.sleep,
    describe: Callable[[RetryableError], str] = str,
    on_retry: Callable[[int, str, float], None] | None = None,
) -> tuple[T, int]:
    """`(attempt(n), n)` for the first attempt `n` that returns; an attempt raising
    RetryableError is retried after `retry_delay` (`on_retry(n, reason, delay)` is told first).
    `describe` turns an error into the reason reported (e.g. redacting a secret).
    RetriesExhausted after the last attempt."""
    reason = "no attempt made"
    for number in range(1, settings.max_attempts + 1):
        try:
            return attempt(number), number
        except RetryableError as error:
            reason, hint = describe(error), error.wait_hint_s
        if number < settings.max_attempts:
            delay = retry_delay(number, settings, hint)
            if on_retry is not None:
                on_retry(number, reason, delay)
            sleep(delay)
    raise RetriesExhausted(reason, settings.max_attempts)


def open_get(url: str, headers: Mapping[str, str], timeout_s: float) -> http.client.HTTPResponse:
    """Open a GET of `url` and return the response (a context manager) to read the body from.

    HttpStatusError for a status other than 2xx; RetryableError for a timeout, a network error
    or a failed connection."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, **headers}, method="GET"
    )
    try:
        return urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        try:
            body = _error_body(error)
        finally:
            error.close()
        raise HttpStatusError(
            url, error.code, str(error.reason or ""), error.headers or {}, body
        ) from None
    except TimeoutError:
        raise RetryableError(f"no response within {timeout_s:g} s") from None
    except urllib.error.URLError as error:
        raise RetryableError(f"network error: {error.reason}") from None
    except (ConnectionError, http.client.HTTPException) as error:
        raise RetryableError(f"connection failed: {type(error).__name__}") from None


def get_bytes(url: str, headers: Mapping[str, str], timeout_s: float) -> bytes:
    """The whole body of a GET of `url` (for small bodies); the failures of `open_get`, and
    RetryableError for a body cut short."""
    try:
        with open_get(url, headers, timeout_s) as response:
            return response.read()
    except http.client.IncompleteRead as error:
        expected = len(error.partial) + (error.expected or 0)
        raise RetryableError(
            f"truncated body: received {len(error.partial)} of {expected} bytes"
        ) from None
    except TimeoutError:
        raise RetryableError(f"no response within {timeout_s:g} s") from None
    except (ConnectionError, http.client.HTTPException) as error:
        raise RetryableError(f"connection failed: {type(error).__name__}") from None


def _error_body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(_ERROR_BODY_BYTES).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""


# --- files -----------------------------------------------------------------------------------


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed into place (fsynced first)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`; None when the file is absent or not a JSON object."""
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return document if isinstance(document, dict) else None


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    write_atomically(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))


class ManifestError(ValueError):
    """A manifest file exists but is not a manifest (`problem` says why)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def read_manifest(path: Path, section: str) -> dict[str, Any]:
    """The `section` entries of the manifest `path` ({} when there is no file).

    ManifestError when the file is not valid JSON or has no `section` object."""
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ManifestError(path, f"not valid JSON ({error.msg})") from None
    except UnicodeDecodeError:
        raise ManifestError(path, "not valid JSON (not UTF-8 text)") from None
    entries = document.get(section) if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise ManifestError(path, f"expected an object with `{section}`")
    return entries


def write_manifest(path: Path, section: str, entries: Mapping[str, Any]) -> None:
    """Write `{"format": 1, section: entries}` (entries sorted by key) to `path` atomically."""
    write_json(path, {"format": MANIFEST_FORMAT, section: dict(sorted(entries.items()))})
