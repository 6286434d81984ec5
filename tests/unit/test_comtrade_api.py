"""Tests for ingest.comtrade.download and `critmin fetch comtrade`, against a local HTTP server.

The server (http.server on 127.0.0.1, in a thread) replays recorded v1 responses over real HTTP:
status codes, headers and bodies, including a body cut short of its Content-Length.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from repo_paths import FIXTURES

from critmin import fetch
from ingest.comtrade.download import (
    API_KEY_ENV,
    API_KEY_HEADER,
    Chunk,
    ComtradeApiError,
    ComtradeQuery,
    FetchSettings,
    MissingApiKeyError,
    fetch_comtrade,
    plan_chunks,
    split_chunk,
)
from ingest.comtrade.reader import TABLE, read_comtrade_folder
from ingest.http_client import retry_delay

RECORDED = FIXTURES / "comtrade" / "api"
SENTINEL_KEY = "sentinel-key-5f2c9a71d0e84b3c"


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    # Content-Length announced larger than the body sent: a truncated transfer.
    missing_bytes: int = 0
    delay_s: float = 0.0


OK_699 = Reply(200, recorded("success_r699_p2023.json"))
OK_842 = Reply(200, recorded("success_r842_p2023.json"))
EMPTY = Reply(200, recorded("empty.json"))
RATE_LIMITED = Reply(429, recorded("rate_limited_429.json"))
SERVER_ERROR = Reply(500, recorded("server_error_500.json"))
UNAUTHORIZED = Reply(401, recorded("unauthorized_401.json"))


@dataclass(frozen=True)
class SeenRequest:
    path: str
    params: dict[str, str]
    key: str | None
    raw_target: str


Script = Callable[[dict[str, str], int], Reply]


class RecordedServer:
    """Replies chosen by `script(params, n)`, n = how many times this query was asked before."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parsed = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                with owner._lock:
                    asked = sum(1 for r in owner.requests if r.params == params)
                    owner.requests.append(
                        SeenRequest(
                            parsed.path, params, self.headers.get(API_KEY_HEADER), self.path
                        )
                    )
                reply = owner.script(params, asked)
                time.sleep(reply.delay_s)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(reply.body) + reply.missing_bytes))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/data/v1/get"

    def __enter__(self) -> RecordedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(API_KEY_ENV, SENTINEL_KEY)
    return SENTINEL_KEY


@pytest.fixture
def serve() -> Iterator[Callable[[Script], RecordedServer]]:
    servers: list[RecordedServer] = []

    def start(script: Script) -> RecordedServer:
        server = RecordedServer(script).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


def by_reporter(replies: dict[str, Reply]) -> Script:
    return lambda params, asked: replies[params["reporterCode"]]


def settings_for(server: RecordedServer, **overrides: object) -> FetchSettings:
    values: dict[str, object] = {
        "base_url": server.base_url,
        "max_attempts": 3,
        "backoff_base_s": 0.5,
        "timeout_s": 5.0,
    }
    return FetchSettings(**(values | overrides))  # type: ignore[arg-type]


def query(reporters: tuple[int, ...] = (699, 842)) -> ComtradeQuery:
    return ComtradeQuery(reporters=reporters, periods=("2023",), cmd_codes=("850511", "284690"))


def manifest(landing: Path) -> dict[str, dict[str, object]]:
    path = landing / "comtrade" / "raw" / "_manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))["chunks"]


def test_success_saves_raw_bodies_the_reader_loads(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    server = serve(by_reporter({"699": OK_699, "842": OK_842}))
    sleeps: list[float] = []
    summary = fetch_comtrade(query(), tmp_path, settings_for(server), sleep=sleeps.append)

    assert [r.path for r in server.requests] == ["/data/v1/get/C/A/HS"] * 2
    assert server.requests[0].params == {
        "reporterCode": "699",
        "period": "2023",
        "cmdCode": "850511,284690",
        "flowCode": "M,X",
        "includeDesc": "false",
    }
    assert all(r.key == SENTINEL_KEY for r in server.requests)
    assert sleeps == []
    assert [c.status for c in summary.chunks] == ["fetched", "fetched"]
    assert summary.records == 7 + 2
    # The body is saved byte for byte before it is parsed.
    assert summary.chunks[0].path is not None
    assert summary.chunks[0].path.read_bytes() == OK_699.body
    assert summary.chunks[0].path.parent == tmp_path / "comtrade" / "raw"
    done = manifest(tmp_path)
    assert {e["status"] for e in done.values()} == {"done"}
    assert sorted(e["records"] for e in done.values()) == [2, 7]

    read = read_comtrade_folder(tmp_path / "comtrade")
    assert read.tables[TABLE].height == 9
    assert sorted(read.tables[TABLE]["reporter_iso3"].unique()) == ["IND", "USA"]
    assert not list((tmp_path / "comtrade" / "raw").glob(".*.tmp"))


@pytest.mark.parametrize(
    ("headers", "expected_wait"),
    [({}, 3.0), ({"Retry-After": "7"}, 7.0)],
    ids=["message", "retry-after-header"],
)
def test_rate_limit_waits_as_long_as_the_server_says(
    tmp_path: Path,
    api_key: str,
    serve: Callable[[Script], RecordedServer],
    headers: dict[str, str],
    expected_wait: float,
) -> None:
    limited = Reply(429, RATE_LIMITED.body, headers)
    server = serve(lambda params, asked: limited if asked == 0 else OK_699)
    sleeps: list[float] = []
    summary = fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=sleeps.append)
    assert sleeps == [expected_wait]
    assert len(server.requests) == 2
    assert summary.records == 7


def test_server_error_is_retried_with_exponential_backoff(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    server = serve(lambda params, asked: SERVER_ERROR if asked < 2 else OK_699)
    sleeps: list[float] = []
    summary = fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=sleeps.append)
    assert sleeps == [0.5, 1.0]
    assert len(server.requests) == 3
    assert summary.chunks[0].attempts == 3


def test_resume_fetches_only_the_chunks_missing_after_a_failure(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    reporters = (699, 842, 156)
    failing = serve(by_reporter({"699": OK_699, "842": SERVER_ERROR, "156": EMPTY}))
    with pytest.raises(ComtradeApiError, match=r"gave up after 3 attempts.*HTTP 500"):
        fetch_comtrade(query(reporters), tmp_path, settings_for(failing), sleep=lambda s: None)
    assert [r.params["reporterCode"] for r in failing.requests] == ["699", "842", "842", "842"]
    assert len(manifest(tmp_path)) == 1

    healthy = serve(by_reporter({"699": OK_699, "842": OK_842, "156": EMPTY}))
    summary = fetch_comtrade(
        query(reporters), tmp_path, settings_for(healthy), sleep=lambda s: None
    )
    assert [r.params["reporterCode"] for r in healthy.requests] == ["842", "156"]
    assert [c.status for c in summary.chunks] == ["skipped", "fetched", "fetched"]
    assert len(manifest(tmp_path)) == 3

    again = serve(by_reporter({}))
    fetch_comtrade(query(reporters), tmp_path, settings_for(again), sleep=lambda s: None)
    assert again.requests == []


def test_truncated_body_is_retried(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    cut = Reply(200, OK_699.body[:300], missing_bytes=len(OK_699.body) - 300)
    server = serve(lambda params, asked: cut if asked == 0 else OK_699)
    sleeps: list[float] = []
    summary = fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=sleeps.append)
    assert len(server.requests) == 2
    assert sleeps == [0.5]
    assert summary.chunks[0].path is not None
    assert summary.chunks[0].path.read_bytes() == OK_699.body


def test_truncated_body_every_time_fails_clearly(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    cut = Reply(200, OK_699.body[:300], missing_bytes=500)
    server = serve(lambda params, asked: cut)
    with pytest.raises(ComtradeApiError, match=r"truncated body: received 300 of 800 bytes"):
        fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=lambda s: None)
    assert len(server.requests) == 3
    assert manifest_or_empty(tmp_path) == {}


def test_invalid_json_is_retried_then_kept_aside_for_inspection(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    server = serve(lambda params, asked: Reply(200, OK_699.body[:300]))
    with pytest.raises(ComtradeApiError, match=r"not valid JSON .* probably truncated"):
        fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=lambda s: None)
    assert len(server.requests) == 3
    raw = tmp_path / "comtrade" / "raw"
    (kept,) = raw.glob("_invalid-*.json")
    assert kept.read_bytes() == OK_699.body[:300]
    # The folder stays readable: the invalid body is not a data file.
    assert read_comtrade_folder(tmp_path / "comtrade").files == ()


def manifest_or_empty(landing: Path) -> dict[str, dict[str, object]]:
    path = landing / "comtrade" / "raw" / "_manifest.json"
    return manifest(landing) if path.is_file() else {}


def test_timeout_is_retried(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    slow = Reply(200, OK_699.body, delay_s=1.0)
    server = serve(lambda params, asked: slow if asked == 0 else OK_699)
    sleeps: list[float] = []
    summary = fetch_comtrade(
        query((699,)), tmp_path, settings_for(server, timeout_s=0.25), sleep=sleeps.append
    )
    assert len(server.requests) == 2
    assert sleeps == [0.5]
    assert summary.records == 7


def test_empty_result_is_a_done_chunk_with_zero_rows(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    server = serve(lambda params, asked: EMPTY)
    summary = fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=lambda s: None)
    assert [(c.status, c.records) for c in summary.chunks] == [("fetched", 0)]
    (entry,) = manifest(tmp_path).values()
    assert (entry["status"], entry["records"]) == ("done", 0)
    read = read_comtrade_folder(tmp_path / "comtrade")
    assert [(f.rows_in, f.rows_loaded) for f in read.files] == [(0, 0)]
    assert read.tables[TABLE].height == 0


def test_other_client_errors_fail_at_once_with_the_server_message(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    server = serve(lambda params, asked: UNAUTHORIZED)
    sleeps: list[float] = []
    with pytest.raises(ComtradeApiError) as caught:
        fetch_comtrade(query((699,)), tmp_path, settings_for(server), sleep=sleeps.append)
    message = str(caught.value)
    assert "HTTP 401: Access denied due to invalid subscription key" in message
    assert f"check that {API_KEY_ENV} holds a valid subscription key" in message
    assert len(server.requests) == 1
    assert sleeps == []


def _records_body(records: list[dict[str, object]]) -> bytes:
    body = {"elapsedTime": "0.2 secs", "count": len(records), "data": records, "error": ""}
    return json.dumps(body).encode("utf-8")


def test_a_response_at_the_cap_is_split_and_requested_again(
    tmp_path: Path, api_key: str, serve: Callable[[Script], RecordedServer]
) -> None:
    records = json.loads(OK_699.body)["data"]
    by_code = {
        "850511": [r for r in records if r["cmdCode"] == "850511"][:2],
        "284690": [r for r in records if r["cmdCode"] == "284690"],
    }

    def script(params: dict[str, str], asked: int) -> Reply:
        codes = params["cmdCode"].split(",")
        return Reply(200, _records_body([r for code in codes for r in by_code[code]]))

    server = serve(script)
    # Cap 4, one record per code estimated: both codes fit in one chunk, whose 4 records hit
    # the cap.
    settings = settings_for(server, record_cap=4, records_per_code=1)
    imports = ComtradeQuery(
        reporters=(699,), periods=("2023",), cmd_codes=("850511", "284690"), flows=("M",)
    )
    summary = fetch_comtrade(imports, tmp_path, settings, sleep=lambda s: None)

    assert [r.params["cmdCode"] for r in server.requests] == ["850511,284690", "850511", "284690"]
    assert [(c.status, c.records) for c in summary.chunks] == [
        ("split", 4),
        ("fetched", 2),
        ("fetched", 2),
    ]
    parent = Chunk("A", (699,), ("2023",), ("850511", "284690"), ("M",))
    entries = manifest(tmp_path)
    assert entries[parent.chunk_id]["status"] == "split"
    assert not (tmp_path / "comtrade" / "raw" / f"{parent.chunk_id}.json").exists()
    read = read_comtrade_folder(tmp_path / "comtrade")
    assert read.tables[TABLE].height == 4
    assert sorted(read.tables[TABLE]["cmd_code"]) == ["284690", "284690", "850511", "850511"]

    again = serve(script)
    rerun = fetch_comtrade(imports, tmp_path, settings_for(again, record_cap=4, records_per_code=1))
    assert again.requests == []
    assert [c.status for c in rerun.chunks] == ["split", "skipped", "skipped"]


def test_missing_key_fails_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve: Callable[[Script], RecordedServer]
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    server = serve(lambda params, asked: OK_699)
    with pytest.raises(MissingApiKeyError, match=f"set the {API_KEY_ENV} environment variable"):
        fetch_comtrade(query((699,)), tmp_path, settings_for(server))
    assert server.requests == []


def test_the_key_appears_nowhere_but_in_the_request_header(
    tmp_path: Path,
    api_key: str,
    serve: Callable[[Script], RecordedServer],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    echo = Reply(
        403, json.dumps({"statusCode": 403, "message": f"bad key {SENTINEL_KEY}"}).encode()
    )
    replies = iter([RATE_LIMITED, SERVER_ERROR, OK_699, echo])
    server = serve(lambda params, asked: next(replies))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ComtradeApiError) as caught:
        fetch_comtrade(query((699, 842)), tmp_path, settings_for(server), sleep=lambda s: None)

    assert all(r.key == SENTINEL_KEY for r in server.requests)
    assert all(SENTINEL_KEY not in r.raw_target for r in server.requests)
    error_text = "".join(traceback.format_exception(caught.value))
    assert "HTTP 403: bad key [redacted]" in error_text
    assert SENTINEL_KEY not in error_text
    assert "retrying" in caplog.text
    assert SENTINEL_KEY not in caplog.text
    captured = capsys.readouterr()
    assert SENTINEL_KEY not in captured.out + captured.err
    saved = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(saved) == 2  # the 699 body and the manifest
    for path in saved:
        assert SENTINEL_KEY not in path.read_text(encoding="utf-8")
        assert SENTINEL_KEY not in path.name


def test_retry_delay_grows_exponentially_up_to_the_cap() -> None:
    settings = FetchSettings(backoff_base_s=2.0, backoff_max_s=10.0)
    assert [retry_delay(n, settings, None) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 10.0]
    assert retry_delay(1, settings, 30.0) == 30.0


def test_plan_keeps_each_chunk_under_half_the_cap_and_covers_every_code() -> None:
    codes = tuple(f"{2800 + i}00" for i in range(120))
    annual = ComtradeQuery(reporters=(699, 842), periods=("2022", "2023"), cmd_codes=codes)
    chunks = plan_chunks(annual, FetchSettings())
    # 2,000 records x 1 period x 2 flows per code: 31 codes stay under 125,000 records.
    assert {len(c.cmd_codes) for c in chunks} == {31, 27}
    assert len(chunks) == 2 * 2 * 4
    covered = [(c.reporters, c.periods, code) for c in chunks for code in c.cmd_codes]
    assert len(covered) == len(set(covered)) == 2 * 2 * 120
    assert len({c.chunk_id for c in chunks}) == len(chunks)

    months = tuple(f"2025{m:02d}" for m in range(1, 13))
    monthly = ComtradeQuery(reporters=(699,), periods=months, cmd_codes=codes[:5], freq="M")
    monthly_chunks = plan_chunks(monthly, FetchSettings())
    # 2,000 x 12 months x 2 flows = 48,000 per code: two codes per chunk.
    assert [len(c.cmd_codes) for c in monthly_chunks] == [2, 2, 1]
    assert all(c.periods == months for c in monthly_chunks)


def test_split_halves_codes_then_periods() -> None:
    chunk = Chunk("M", (699,), ("202501", "202502"), ("850511", "284690", "282200"), ("M", "X"))
    first, second = split_chunk(chunk)
    assert (first.cmd_codes, second.cmd_codes) == (("850511",), ("284690", "282200"))
    single = Chunk("M", (699,), ("202501", "202502"), ("850511",), ("M",))
    assert [c.periods for c in split_chunk(single)] == [("202501",), ("202502",)]
    with pytest.raises(ComtradeApiError, match="request partners separately"):
        split_chunk(Chunk("A", (699,), ("2023",), ("850511",), ("M",)))


def test_query_validation_names_the_bad_values() -> None:
    with pytest.raises(ValueError, match=r"period '2023', expected YYYYMM for freq M"):
        ComtradeQuery(reporters=(699,), periods=("2023",), cmd_codes=("850511",), freq="M")
    with pytest.raises(ValueError, match=r"HS code '85051', expected 2, 4 or 6 digits"):
        ComtradeQuery(reporters=(699,), periods=("2023",), cmd_codes=("85051",))


def _cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="critmin")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch.register(commands)
    return parser.parse_args(argv)


def test_cli_fetches_and_prints_progress_per_chunk(
    tmp_path: Path,
    api_key: str,
    serve: Callable[[Script], RecordedServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = serve(lambda params, asked: EMPTY)
    args = _cli(
        [
            "fetch",
            "comtrade",
            "--reporters",
            "699,842",
            "--years",
            "2022-2024",
            "--hs",
            "284690,850511",
            "--monthly",
            "--out",
            str(tmp_path),
            "--base-url",
            server.base_url,
        ]
    )
    assert fetch.run_fetch(args) == 0
    assert len(server.requests) == 2 * 3
    periods = server.requests[0].params["period"].split(",")
    assert periods == [f"2022{m:02d}" for m in range(1, 13)]
    assert server.requests[0].path == "/data/v1/get/C/M/HS"
    out = capsys.readouterr().out
    assert out.count("fetched, 0 records") == 6
    assert out.splitlines()[0].startswith("[1] M_r699_p202201-202212_")
    assert "6 chunks, 6 requests" in out
    assert SENTINEL_KEY not in out


def test_cli_without_key_exits_2_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    args = _cli(["fetch", "comtrade", "--reporters", "699", "--years", "2023", "--hs", "850511"])
    args.out = tmp_path
    assert fetch.run_fetch(args) == 2
    assert API_KEY_ENV in capsys.readouterr().err


def test_cli_argument_parsers() -> None:
    assert fetch.parse_years("2022-2024") == (2022, 2023, 2024)
    assert fetch.parse_years("2021,2023-2024") == (2021, 2023, 2024)
    assert fetch.parse_codes("699,842") == (699, 842)
    assert fetch.parse_hs_codes("284690,8505") == ("284690", "8505")
    for parse, text in [
        (fetch.parse_years, "2024-2022"),
        (fetch.parse_years, "22"),
        (fetch.parse_codes, "IND"),
        (fetch.parse_hs_codes, "85051"),
    ]:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)
