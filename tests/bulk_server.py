"""A bulk-file server on 127.0.0.1 for download tests: serves recorded bytes with ETag and
Last-Modified, answers Range requests, and injects faults (truncated bodies, 503 with
Retry-After, 500s, 404) on request."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Wed, 15 Jan 2025 09:30:00 GMT"


@dataclass
class Resource:
    body: bytes
    etag: str | None = '"4a3f-62b9c1d2e3f40"'
    last_modified: str | None = LAST_MODIFIED
    ranges: bool = True
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Fault:
    """A scripted answer: `status` other than 200 replaces the response (with `headers`, `body`);
    `cut_after` sends the normal response but only that many body bytes, then closes."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    cut_after: int | None = None


@dataclass(frozen=True)
class Seen:
    target: str
    headers: dict[str, str]
    status: int


class BulkServer:
    """Resources and faults keyed by request target (path and query, as sent)."""

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                headers = {k.lower(): v for k, v in self.headers.items()}
                with owner._lock:
                    queued = owner.faults.get(self.path) or []
                    fault = queued.pop(0) if queued else None
                    resource = owner.resources.get(self.path)

                def record(status: int) -> None:
                    # Before the response goes out: the client may act on it at once.
                    with owner._lock:
                        owner.requests.append(Seen(self.path, headers, status))

                owner.answer(self, headers, fault, resource, record)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, target: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{target}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    @staticmethod
    def answer(
        handler: BaseHTTPRequestHandler,
        headers: dict[str, str],
        fault: Fault | None,
        resource: Resource | None,
        record: Callable[[int], None],
    ) -> None:
        handler.close_connection = True
        if fault is not None and fault.status != 200:
            return _send(handler, record, fault.status, fault.headers, fault.body)
        if resource is None:
            page = b"<html><body><h1>Not Found</h1></body></html>"
            return _send(handler, record, 404, {"Content-Type": "text/html"}, page)
        validators = {
            "ETag": resource.etag,
            "Last-Modified": resource.last_modified,
            "Accept-Ranges": "bytes" if resource.ranges else "none",
        }
        validators = {k: v for k, v in validators.items() if v}
        if_none_match = headers.get("if-none-match")
        if (if_none_match is not None and if_none_match == resource.etag) or (
            if_none_match is None
            and headers.get("if-modified-since") is not None
            and headers.get("if-modified-since") == resource.last_modified
        ):
            return _send(handler, record, 304, validators, b"")
        status, start = 200, 0
        asked = re.fullmatch(r"bytes=(\d+)-", headers.get("range", ""))
        if_range = headers.get("if-range")
        if asked and resource.ranges and if_range in (None, resource.etag, resource.last_modified):
            start, status = int(asked.group(1)), 206
            if start >= len(resource.body):
                return _send(
                    handler, record, 416, {"Content-Range": f"bytes */{len(resource.body)}"}, b""
                )
        payload = resource.body[start:]
        extra = {"Content-Type": resource.content_type, **validators}
        if status == 206:
            end = len(resource.body) - 1
            extra["Content-Range"] = f"bytes {start}-{end}/{len(resource.body)}"
        cut = fault.cut_after if fault is not None else None
        return _send(handler, record, status, extra, payload, announced=len(payload), cut_after=cut)


def _send(
    handler: BaseHTTPRequestHandler,
    record: Callable[[int], None],
    status: int,
    headers: dict[str, str],
    body: bytes,
    *,
    announced: int | None = None,
    cut_after: int | None = None,
) -> None:
    record(status)
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if status != 304:
        handler.send_header("Content-Length", str(len(body) if announced is None else announced))
    handler.end_headers()
    try:
        handler.wfile.write(body if cut_after is None else body[:cut_after])
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass


def build_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def corrupt_member(archive: bytes, content: bytes) -> bytes:
    """Flip one byte inside a stored member's data: its CRC-32 no longer matches."""
    at = archive.index(content) + len(content) // 2
    return archive[:at] + bytes([archive[at] ^ 0xFF]) + archive[at + 1 :]
