"""Download UN Comtrade v1 records (`/data/v1/get/C/{A|M}/HS`) into the landing directory.

A query (reporters x periods x HS codes x flows) is cut into chunks that each stay under the
API's cap of 250,000 records per call: one chunk per reporter and year (for monthly data, the
twelve months of a year together), with the HS codes split into lists sized by an estimate of
records per code (`FetchSettings.records_per_code`, half the cap as target). A response that
still reaches the cap is split further (HS list, then periods, then flows) and re-requested.

Every response body is written to `<landing>/comtrade/raw/<chunk-id>.json` (temporary file +
rename) before it is parsed, so re-reading needs no new download; `ingest.comtrade.reader` reads
that folder. `<landing>/comtrade/raw/_manifest.json` records completed chunks: a re-run skips
them and requests only what is missing. A capped response is deleted once its split is
recorded; a body that is still invalid after the last attempt is kept as
`_invalid-<chunk-id>.json` for inspection (names starting with `_` are not data files).

Requests, retries, atomic writes and the manifest go through `ingest.http_client`.
Retries: HTTP 429 and 5xx, socket timeouts, connection errors and truncated JSON bodies are
retried up to `max_attempts` with exponential backoff (`backoff_base_s` x 2^(n-1),
at most `backoff_max_s`); when the server says how long to wait (`Retry-After` header, or a
message such as "Rate limit is exceeded. Try again in 3 seconds.") the wait is at least that.
Any other 4xx fails at once with the server's message.

The subscription key is read from `COMTRADE_API_KEY` when a fetch starts and sent only in the
`Ocp-Apim-Subscription-Key` header. It is never logged, printed, stored, put in a URL, file
name, saved file or error message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ingest.comtrade import SPEC
from ingest.comtrade.reader import (
    FLOW_CODES,
    RAW_SUBFOLDER,
    ApiBody,
    ComtradeFormatError,
    TruncatedBodyError,
    parse_api_body,
)
from ingest.http_client import (
    HttpStatusError,
    ManifestError,
    RetriesExhausted,
    RetryableError,
    get_bytes,
    read_manifest,
    retry_after_seconds,
    with_retries,
    write_atomically,
    write_manifest,
)

DEFAULT_BASE_URL = "https://comtradeapi.un.org/data/v1/get"
API_KEY_ENV = "COMTRADE_API_KEY"
API_KEY_HEADER = "Ocp-Apim-Subscription-Key"
RECORD_CAP = 250_000
MANIFEST_NAME = "_manifest.json"
LANDING_FOLDER = SPEC.folder
FLOWS = ("M", "X")

_RETRY_IN = re.compile(r"try again in (\d+(?:\.\d+)?) second", re.IGNORECASE)
_PERIOD_PATTERNS = {"A": re.compile(r"\d{4}"), "M": re.compile(r"\d{4}(0[1-9]|1[0-2])")}
_HS_CODE = re.compile(r"\d{2}|\d{4}|\d{6}")

log = logging.getLogger(__name__)


class ComtradeApiError(RuntimeError):
    """A chunk could not be fetched; the message says which chunk, why and what to do."""


class MissingApiKeyError(ComtradeApiError):
    """COMTRADE_API_KEY is not set."""


@dataclass(frozen=True)
class ComtradeQuery:
    """What to download: reporters x periods x HS codes x flows (x partners, all when None).

    `periods` are years (`"2023"`) for annual data (`freq` A) or months (`"202304"`) for monthly
    data (`freq` M).
    """

    reporters: tuple[int, ...]
    periods: tuple[str, ...]
    cmd_codes: tuple[str, ...]
    freq: str = "A"
    flows: tuple[str, ...] = FLOWS
    partners: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        problems = _query_problems(self)
        if problems:
            raise ValueError("invalid Comtrade query: " + "; ".join(problems))


def _query_problems(query: ComtradeQuery) -> list[str]:
    problems: list[str] = []
    if query.freq not in _PERIOD_PATTERNS:
        return [f"freq {query.freq!r}, expected A (annual) or M (monthly)"]
    for name in ("reporters", "periods", "cmd_codes", "flows"):
        if not getattr(query, name):
            problems.append(f"{name} is empty, expected at least one value")
    pattern = _PERIOD_PATTERNS[query.freq]
    expected = "YYYY" if query.freq == "A" else "YYYYMM"
    problems += [
        f"period {p!r}, expected {expected} for freq {query.freq}"
        for p in query.periods
        if not pattern.fullmatch(p)
    ]
    problems += [
        f"HS code {c!r}, expected 2, 4 or 6 digits"
        for c in query.cmd_codes
        if not _HS_CODE.fullmatch(c)
    ]
    problems += [f"flow {f!r}, expected M, X, RM or RX" for f in query.flows if f not in FLOW_CODES]
    return problems


@dataclass(frozen=True)
class Chunk:
    """One API call: the query parameters of `/C/{freq}/HS`."""

    freq: str
    reporters: tuple[int, ...]
    periods: tuple[str, ...]
    cmd_codes: tuple[str, ...]
    flows: tuple[str, ...]
    partners: tuple[int, ...] | None = None

    def query_params(self) -> dict[str, str]:
        params = {
            "reporterCode": ",".join(str(r) for r in self.reporters),
            "period": ",".join(self.periods),
            "cmdCode": ",".join(self.cmd_codes),
            "flowCode": ",".join(self.flows),
        }
        if self.partners is not None:
            params["partnerCode"] = ",".join(str(p) for p in self.partners)
        params["includeDesc"] = "false"
        return params

    @property
    def chunk_id(self) -> str:
        """Readable and unique: frequency, reporters, period range and a digest of the query."""
        digest = hashlib.sha256(
            json.dumps(self.query_params(), sort_keys=True).encode("utf-8")
        ).hexdigest()[:12]
        reporters = ".".join(str(r) for r in self.reporters[:3])
        if len(self.reporters) > 3:
            reporters += f"+{len(self.reporters) - 3}"
        periods = (
            self.periods[0] if len(self.periods) == 1 else f"{self.periods[0]}-{self.periods[-1]}"
        )
        return f"{self.freq}_r{reporters}_p{periods}_{digest}"

    def url(self, base_url: str) -> str:
        query = urllib.parse.urlencode(self.query_params(), safe=",")
        return f"{base_url.rstrip('/')}/C/{self.freq}/HS?{query}"


@dataclass(frozen=True)
class FetchSettings:
    """How to call the API. `record_cap` is the API's per-call maximum; `records_per_code` the
    estimate of records one HS code yields for one reporter, period and flow (all partners,
    with mode-of-transport and customs breakdowns), used to size HS lists."""

    base_url: str = DEFAULT_BASE_URL
    max_attempts: int = 5
    backoff_base_s: float = 2.0
    backoff_max_s: float = 120.0
    timeout_s: float = 120.0
    record_cap: int = RECORD_CAP
    records_per_code: int = 2_000
    max_codes_per_chunk: int = 50

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base URL {self.base_url!r}, expected an http:// or https:// URL")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts {self.max_attempts}, expected at least 1")


@dataclass(frozen=True)
class ChunkResult:
    """What happened to one chunk: `fetched`, `skipped` (done in an earlier run) or `split`."""

    chunk_id: str
    status: str
    records: int
    path: Path | None
    attempts: int


@dataclass(frozen=True)
class FetchSummary:
    raw_dir: Path
    chunks: tuple[ChunkResult, ...] = field(default_factory=tuple)

    @property
    def requests(self) -> int:
        return sum(c.attempts for c in self.chunks)

    @property
    def records(self) -> int:
        return sum(c.records for c in self.chunks if c.status in ("fetched", "skipped"))


def api_key_from_env() -> str:
    """The subscription key from COMTRADE_API_KEY; MissingApiKeyError when unset or empty."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise MissingApiKeyError(
            f"no UN Comtrade subscription key: set the {API_KEY_ENV} environment variable to "
            "your key (comtradedeveloper.un.org, product comtrade - v1)"
        )
    return key


def plan_chunks(query: ComtradeQuery, settings: FetchSettings) -> list[Chunk]:
    """One chunk per reporter x year, HS codes split into lists under half the record cap."""
    by_year: dict[str, list[str]] = {}
    for period in query.periods:
        by_year.setdefault(period[:4], []).append(period)
    chunks: list[Chunk] = []
    for reporter in query.reporters:
        for periods in by_year.values():
            per_code = settings.records_per_code * len(periods) * len(query.flows)
            size = max(1, min(settings.max_codes_per_chunk, (settings.record_cap // 2) // per_code))
            for start in range(0, len(query.cmd_codes), size):
                chunks.append(
                    Chunk(
                        freq=query.freq,
                        reporters=(reporter,),
                        periods=tuple(periods),
                        cmd_codes=tuple(query.cmd_codes[start : start + size]),
                        flows=tuple(query.flows),
                        partners=query.partners,
                    )
                )
    return chunks


def split_chunk(chunk: Chunk) -> list[Chunk]:
    """Halve a chunk whose response hit the cap: its HS list, else its periods, else its flows."""
    for name in ("cmd_codes", "periods", "flows", "reporters"):
        values = getattr(chunk, name)
        if len(values) > 1:
            middle = len(values) // 2
            return [
                replace(chunk, **{name: values[:middle]}),
                replace(chunk, **{name: values[middle:]}),
            ]
    raise ComtradeApiError(
        f"chunk {chunk.chunk_id}: one reporter, period, flow and HS code still reach the record "
        "cap; request partners separately (partnerCode) to split it further"
    )


def server_wait_hint(headers: Mapping[str, str] | None, body: str) -> float | None:
    """Seconds the server asked to wait: `Retry-After` (seconds) or "Try again in N seconds"."""
    hints: list[float] = []
    retry_after = retry_after_seconds((headers or {}).get("Retry-After"))
    if retry_after is not None:
        hints.append(retry_after)
    match = _RETRY_IN.search(body)
    if match:
        hints.append(float(match.group(1)))
    return max(hints) if hints else None


def fetch_comtrade(
    query: ComtradeQuery,
    landing: Path,
    settings: FetchSettings | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_chunk: Callable[[ChunkResult], None] | None = None,
) -> FetchSummary:
    """Fetch every chunk of `query` not yet done into `<landing>/comtrade/raw/`.

    Raises MissingApiKeyError before any request when COMTRADE_API_KEY is unset, and
    ComtradeApiError when a chunk fails for good (chunks done until then stay recorded in the
    manifest, so the next run resumes there).
    """
    settings = settings or FetchSettings()
    key = api_key_from_env()
    raw_dir = Path(landing) / LANDING_FOLDER / RAW_SUBFOLDER
    raw_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(raw_dir)
    results: list[ChunkResult] = []
    pending = list(reversed(plan_chunks(query, settings)))
    while pending:
        chunk = pending.pop()
        result, children = _run_chunk(chunk, raw_dir, manifest, key, settings, sleep)
        results.append(result)
        pending.extend(reversed(children))
        if on_chunk is not None:
            on_chunk(result)
    return FetchSummary(raw_dir=raw_dir, chunks=tuple(results))


def _run_chunk(
    chunk: Chunk,
    raw_dir: Path,
    manifest: dict[str, dict[str, object]],
    key: str,
    settings: FetchSettings,
    sleep: Callable[[float], None],
) -> tuple[ChunkResult, list[Chunk]]:
    chunk_id = chunk.chunk_id
    entry = manifest.get(chunk_id, {})
    path = raw_dir / f"{chunk_id}.json"
    if entry.get("status") == "split":
        return ChunkResult(chunk_id, "split", 0, None, 0), split_chunk(chunk)
    if entry.get("status") == "done" and path.is_file():
        return ChunkResult(chunk_id, "skipped", int(entry.get("records", 0)), path, 0), []
    body, attempts = _fetch_body(chunk, path, key, settings, sleep)
    if body.count >= settings.record_cap:
        children = split_chunk(chunk)
        log.info("chunk %s: %d records reach the cap, splitting in two", chunk_id, body.count)
        path.unlink(missing_ok=True)
        manifest[chunk_id] = {
            "status": "split",
            "query": chunk.query_params(),
            "into": [c.chunk_id for c in children],
        }
        _write_manifest(raw_dir, manifest)
        return ChunkResult(chunk_id, "split", body.count, None, attempts), children
    manifest[chunk_id] = {
        "status": "done",
        "query": chunk.query_params(),
        "file": path.name,
        "records": body.count,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_manifest(raw_dir, manifest)
    log.info("chunk %s: %d records saved to %s", chunk_id, body.count, path)
    return ChunkResult(chunk_id, "fetched", body.count, path, attempts), []


def _fetch_body(
    chunk: Chunk,
    path: Path,
    key: str,
    settings: FetchSettings,
    sleep: Callable[[float], None],
) -> tuple[ApiBody, int]:
    """GET the chunk, save the body to `path`, parse it; retry what can be retried."""
    url = chunk.url(settings.base_url)

    def attempt(_number: int) -> ApiBody:
        data = _http_get(url, key, settings.timeout_s)
        write_atomically(path, data)
        try:
            return parse_api_body(data.decode("utf-8", errors="replace"), str(path))
        except TruncatedBodyError as error:
            raise RetryableError(str(error)) from None

    def on_retry(number: int, reason: str, delay: float) -> None:
        log.warning(
            "chunk %s: attempt %d/%d failed (%s); retrying in %.1f s",
            chunk.chunk_id,
            number,
            settings.max_attempts,
            reason,
            delay,
        )

    try:
        return with_retries(
            attempt,
            settings,
            sleep=sleep,
            describe=lambda error: _redact(str(error), key),
            on_retry=on_retry,
        )
    except ComtradeFormatError as error:
        path.unlink(missing_ok=True)
        raise ComtradeApiError(f"chunk {chunk.chunk_id}: {_redact(str(error), key)}") from None
    except ComtradeApiError as error:
        raise ComtradeApiError(f"chunk {chunk.chunk_id}: {_redact(str(error), key)}") from None
    except RetriesExhausted as exhausted:
        if path.is_file():
            path.replace(path.with_name(f"_invalid-{path.name}"))
        raise ComtradeApiError(
            f"chunk {chunk.chunk_id}: gave up after {settings.max_attempts} attempts, last "
            f"failure: {exhausted.reason}; run the fetch again later to resume from this chunk"
        ) from None


def _http_get(url: str, key: str, timeout_s: float) -> bytes:
    """The response body of a 200; raises RetryableError or ComtradeApiError otherwise."""
    try:
        return get_bytes(url, {API_KEY_HEADER: key, "Accept": "application/json"}, timeout_s)
    except HttpStatusError as error:
        message = _redact(_server_message(error.body), key)
        if error.retryable:
            raise RetryableError(
                f"HTTP {error.status}: {message}", server_wait_hint(error.headers, error.body)
            ) from None
        advice = (
            f"; check that {API_KEY_ENV} holds a valid subscription key"
            if error.status in (401, 403)
            else "; check the query parameters"
        )
        raise ComtradeApiError(f"HTTP {error.status}: {message}{advice}") from None
    except RetryableError as error:
        raise RetryableError(_redact(str(error), key), error.wait_hint_s) from None


def _server_message(body: str) -> str:
    """The `message` (or `error`) of a JSON error body, else its first 200 characters."""
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        return body.strip()[:200] or "no message"
    if isinstance(parsed, dict):
        message = parsed.get("message") or parsed.get("error")
        if message:
            return str(message)
    return body.strip()[:200] or "no message"


def _redact(text: str, key: str) -> str:
    return text.replace(key, "[redacted]") if key else text


def _read_manifest(raw_dir: Path) -> dict[str, dict[str, object]]:
    try:
        return read_manifest(raw_dir / MANIFEST_NAME, "chunks")
    except ManifestError as error:
        raise ComtradeApiError(f"{error}; delete it to fetch every chunk again") from None


def _write_manifest(raw_dir: Path, chunks: Mapping[str, object]) -> None:
    write_manifest(raw_dir / MANIFEST_NAME, "chunks", chunks)


def query_from_lists(
    reporters: Sequence[int],
    years: Sequence[int],
    cmd_codes: Sequence[str],
    monthly: bool = False,
    flows: Sequence[str] = FLOWS,
    partners: Sequence[int] | None = None,
) -> ComtradeQuery:
    """A query for whole years: the years themselves (annual) or their twelve months."""
    periods = (
        tuple(f"{y}{m:02d}" for y in years for m in range(1, 13))
        if monthly
        else tuple(str(y) for y in years)
    )
    return ComtradeQuery(
        reporters=tuple(reporters),
        periods=periods,
        cmd_codes=tuple(cmd_codes),
        freq="M" if monthly else "A",
        flows=tuple(flows),
        partners=tuple(partners) if partners is not None else None,
    )
