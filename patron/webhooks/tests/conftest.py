"""Fixtures of the webhooks tests: a real HTTP receiver on the loopback interface, and the
scopes the events happen in."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from patron.testing.fixtures import (
    default_store_view,
    default_website,
    make_store_view,
    make_website,
    reset_shared_state,
)


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver saw it: the headers (case-insensitive) and the raw body."""

    method: str
    path: str
    headers: Message
    body: bytes


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every request before it answers.

    ``answer(500, 404)`` scripts the statuses of the next requests, in order; once they are used
    up it answers 200. Each answer's body is ``"<status> for request <n>"``; redirects point
    to ``/elsewhere``. ``delay(2)`` likewise scripts how many seconds to wait before answering.
    """

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._statuses: list[int] = []
        self._delays: list[float] = []
        self._lock = threading.Lock()
        self._server = _LoopbackServer(("127.0.0.1", 0), self._handler_class())
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.url = f"{self.base_url}/hook"
        # A short poll interval: shutdown() waits for the serving loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def answer(self, *statuses: int) -> None:
        with self._lock:
            self._statuses.extend(statuses)

    def delay(self, *seconds: float) -> None:
        with self._lock:
            self._delays.extend(seconds)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(
        self, method: str, path: str, headers: Message, body: bytes
    ) -> tuple[int, float, int]:
        with self._lock:
            self.requests.append(ReceivedRequest(method, path, headers, body))
            status = self._statuses.pop(0) if self._statuses else 200
            delay = self._delays.pop(0) if self._delays else 0.0
            return status, delay, len(self.requests)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, delay, number = receiver._next("POST", self.path, self.headers, body)
                time.sleep(delay)
                text = f"{status} for request {number}".encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    if 300 <= status < 400:
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                except OSError:
                    # The sender gave up waiting (the timeout test): nobody reads the answer.
                    pass

            def log_message(self, format: str, *args) -> None:
                """Keep the test output quiet."""

        return Handler


class _LoopbackServer(ThreadingHTTPServer):
    # Do not wait at shutdown for a handler that is still sleeping (the timeout test).
    block_on_close = False


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running HTTP receiver on 127.0.0.1 with a free port."""
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_cache_and_prefix():
    # The configuration snapshot lives in the shared locmem cache.
    reset_shared_state()
    yield
    reset_shared_state()


@pytest.fixture
def website(db):
    return default_website()


@pytest.fixture
def store_view(db):
    return default_store_view()


@pytest.fixture
def other_website(db):
    return make_website("second", name="Second Website")


@pytest.fixture
def other_store_view(other_website):
    return make_store_view(other_website, "second_en", "en", name="Second English", is_default=True)
