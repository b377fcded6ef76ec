"""A local HTTP server that plays the platforms, and a guard that keeps tests off the net.

Every test in this folder talks only to 127.0.0.1: ``socket.create_connection`` and
``socket.getaddrinfo`` refuse any other host, proxies are switched off, and each test
can check ``server.requests`` (method, path, headers, body) to see what was asked.
Waiting is patched: ``sleeps`` records the seconds the fetchers would have slept.
"""

from __future__ import annotations

import gzip
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from toolkit.fetch import _http, settings

KEY = "TEST-KEY-9f8e7d6c5b4a3210"
LOCAL = "127.0.0.1"


@dataclass
class Reply:
    """One answer of the server.

    ``cut_at`` sends only that many bytes of the body (with the full Content-Length);
    ``ranges`` honours ``Range: bytes=N-`` with a 206 answer.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_at: int | None = None
    ranges: bool = False


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Server:
    """Routes ``(method, path)`` to a queue of replies; the last reply repeats."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((LOCAL, 0), _handler(self))
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, *replies: Reply, method: str = "GET") -> None:
        self.routes[(method, path)] = list(replies)

    def reply_for(self, method: str, path: str) -> Reply:
        with self.lock:
            queue = self.routes.get((method, path.split("?", 1)[0]))
            if not queue:
                return Reply(404, b'{"detail": "Not Found"}')
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def seen(self, path_start: str = "") -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(path_start)]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with server.lock:
                server.requests.append(
                    Seen(self.command, self.path, dict(self.headers.items()), body)
                )
            reply = server.reply_for(self.command, self.path)
            payload, status = reply.body, reply.status
            headers = dict(reply.headers)
            wanted = self.headers.get("Range", "")
            if reply.ranges:
                headers["Accept-Ranges"] = "bytes"
                if wanted.startswith("bytes=") and status == 200:
                    offset = int(wanted[6:].rstrip("-"))
                    if offset >= len(payload):
                        status, payload = 416, b""
                        headers["Content-Range"] = f"bytes */{len(reply.body)}"
                    else:
                        status = 206
                        headers["Content-Range"] = (
                            f"bytes {offset}-{len(payload) - 1}/{len(payload)}"
                        )
                        payload = payload[offset:]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            sent = payload if reply.cut_at is None else payload[: reply.cut_at]
            self.wfile.write(sent)
            self.wfile.flush()
            self.close_connection = True

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet."""

    return Handler


@pytest.fixture
def server():
    srv = Server()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def local_only(monkeypatch, tmp_path):
    """No network but 127.0.0.1, no proxies, no real keys, a fresh cache, fast retries."""
    real_connect = socket.create_connection
    real_lookup = socket.getaddrinfo

    def connect(address, *args, **kwargs):
        assert address[0] == LOCAL, f"test tried to reach {address[0]!r}"
        return real_connect(address, *args, **kwargs)

    def lookup(host, *args, **kwargs):
        assert host == LOCAL, f"test tried to look up {host!r}"
        return real_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "OPENAQ_API_KEY",
        "PURPLEAIR_API_KEY",
        "TELRAAM_API_KEY",
        settings.CACHE_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setattr(settings, "cache_folder", tmp_path / "cache")
    monkeypatch.setattr(settings, "timeout", 5.0)
    monkeypatch.setattr(settings, "max_retries", 3)
    monkeypatch.setattr(settings, "backoff", 2.0)
    monkeypatch.setattr(settings, "max_backoff", 60.0)
    monkeypatch.setattr(_http, "_last_request", {})


@pytest.fixture(autouse=True)
def sleeps(monkeypatch) -> list[float]:
    """Seconds the code under test asked to sleep (nothing actually waits)."""
    asked: list[float] = []
    monkeypatch.setattr(_http, "_sleep", asked.append)
    return asked


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def all_text(folder) -> str:
    """Every file name and every byte under ``folder`` (hidden files too), as text."""
    parts = []
    for path in sorted(folder.rglob("*")):
        parts.append(str(path))
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)
