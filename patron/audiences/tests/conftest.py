"""What the audiences tests share: Audience Activation switched on with a signing secret,
``make_audience`` (through ``save_audience``), API call helpers, and ``cdp_server``: a local
HTTP server in a thread on 127.0.0.1 that answers what the test tells it to, standing in for a
customer data platform's pull endpoint."""

import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from patron.audiences import services
from patron.audiences.models import Audience
from patron.core.actors import SYSTEM
from patron.testing.fixtures import bearer, default_website, set_config

SECRET = "s3cret-shared-with-the-storefront"
ENABLED = "audiences/general/enabled"
SECRET_PATH = "audiences/request/secret"
TRUST_UNSIGNED = "audiences/request/trust_unsigned"
HEADER = "audiences/request/header"
ENDPOINT = "audiences/pull/endpoint"
TOKEN = "audiences/pull/token"
TIMEOUT = "audiences/pull/timeout_seconds"
INTERVAL = "audiences/pull/interval_minutes"
VIEW = "audiences.view_audience"
ADD = "audiences.add_audience"
CHANGE = "audiences.change_audience"
DELETE = "audiences.delete_audience"
ALL = [VIEW, ADD, CHANGE, DELETE]
AN_HOUR = 3600


@pytest.fixture
def enabled(db):
    """Audience Activation on, with the signing secret ``SECRET``."""
    set_config({ENABLED: True, SECRET_PATH: SECRET})


def make_audience(external_id: str = "loyal", *, websites=None, **fields: Any) -> Audience:
    """Register an audience through ``save_audience`` (default: on the default website)."""
    fields.setdefault("name", external_id.title())
    return services.save_audience(
        actor=SYSTEM,
        external_id=external_id,
        websites=websites if websites is not None else [default_website()],
        **fields,
    )


def signed(*ids: str, expires_in: int = AN_HOUR, secret: str = SECRET) -> str:
    """A header value carrying ``ids``, signed with ``secret``, valid ``expires_in`` seconds."""
    return services.sign(ids, expires=int(time.time()) + expires_in, secret=secret)


def call(client, method: str, url: str, secret: str | None = None, data=None, **headers):
    """A JSON API call with a bearer token and any extra ``HTTP_*`` headers."""
    kwargs: dict[str, Any] = dict(headers)
    if secret:
        kwargs.update(bearer(secret))
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def member_emails(audience: Audience) -> list[str]:
    return sorted(audience.members.values_list("customer__email", flat=True))


# --- A customer data platform on 127.0.0.1 ----------------------------------------------------


@dataclass
class Answer:
    """What the local server answers next: status, body (JSON-encoded unless bytes), extra
    headers and how long it waits before answering."""

    status: int = 200
    body: Any = field(default_factory=lambda: {"audiences": []})
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class CdpServer:
    url: str
    answer: Answer
    requests: list[dict[str, str]]
    release: threading.Event

    def answers(
        self, body: Any = None, *, status: int = 200, delay: float = 0.0, headers=None
    ) -> None:
        self.answer.status, self.answer.delay = status, delay
        self.answer.body = {"audiences": []} if body is None else body
        self.answer.headers = dict(headers or {})


def start_cdp_server() -> tuple[CdpServer, http.server.ThreadingHTTPServer]:
    answer = Answer()
    requests: list[dict[str, str]] = []
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            if answer.delay:
                release.wait(answer.delay)
            body = answer.body
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up waiting
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return CdpServer(f"http://{host}:{port}/audiences", answer, requests, release), server


@pytest.fixture
def cdp_server() -> Iterator[CdpServer]:
    """The local endpoint (not yet configured: see ``pull_configured``)."""
    cdp, server = start_cdp_server()
    yield cdp
    cdp.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def pull_configured(enabled, cdp_server) -> CdpServer:
    """Audience Activation on, pulling from the local server with a 1 second timeout."""
    set_config({ENDPOINT: cdp_server.url, TOKEN: "pull-token", TIMEOUT: 1})
    return cdp_server
