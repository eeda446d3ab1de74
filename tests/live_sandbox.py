"""A running QuickBooks sandbox for any test: the sandbox's own and the app's tests against it.

`live_sandbox` starts the real `manage.py qbo_sandbox` on a free loopback port with its own SQLite
file, exactly as a developer would, and talks to it over HTTP.
"""

import base64
import hashlib
import hmac
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from sandbox.demo import DEMO_REALM_ID

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60
BANNER = re.compile(r"QuickBooks sandbox at (http://127\.0\.0\.1:\d+/)")  # qbo_sandbox's first line, once bound


@dataclass
class LiveSandbox:
    base_url: str  # ends with "/"
    client_id: str
    client_secret: str
    verifier: str
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def control(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the /_sandbox/ control API, e.g. control("post", "faults", json={...})."""
        response = requests.request(method, self.url(f"_sandbox/{path}"), timeout=30, **kwargs)
        response.raise_for_status()
        return response

    def reset(self) -> dict:
        return self.control("post", "reset").json()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bound_url(process: subprocess.Popen, log_path: Path) -> str:
    """The base URL the sandbox's banner names once its socket is bound and listening.

    The sandbox is given port 0 and the system picks a free port as it binds: a port chosen here and handed over
    could be taken in between by another xdist worker's sandbox, live server or outgoing connection.
    """
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        if match := BANNER.search(log):
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"qbo_sandbox exited with {process.returncode}:\n{log}")
        time.sleep(0.05)
    raise RuntimeError(f"qbo_sandbox did not start within {STARTUP_SECONDS} s:\n{log_path.read_text(errors='replace')}")


def _wait_until_up(sandbox: LiveSandbox) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if sandbox.process.poll() is not None:
            raise RuntimeError(f"qbo_sandbox exited with {sandbox.process.returncode}:\n{sandbox.log()}")
        try:
            if requests.get(sandbox.url("_sandbox/state"), timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"qbo_sandbox did not answer within {STARTUP_SECONDS} s:\n{sandbox.log()}")


@pytest.fixture(scope="session")
def live_sandbox(tmp_path_factory):
    """A running `manage.py qbo_sandbox` on 127.0.0.1 and a port of its own, with a fresh database; stopped at the
    end."""
    folder = tmp_path_factory.mktemp("live-sandbox")
    env = {
        **os.environ,
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "QBO_SANDBOX_CLIENT_ID": "live-test-client",
        "QBO_SANDBOX_CLIENT_SECRET": "live-test-secret",
        "QBO_SANDBOX_WEBHOOK_VERIFIER": "live-test-verifier",
        "QBO_SANDBOX_WEBHOOK_RETRY_SECONDS": "0.2,0.2",
        "QBO_SANDBOX_WEBHOOK_BATCH_SECONDS": "0.1",
        "QBO_SANDBOX_AUTO_APPROVE_REALM": DEMO_REALM_ID,  # prompt=none consents for the demo company only
    }
    log_path = folder / "qbo_sandbox.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qbo_sandbox", "127.0.0.1:0"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        sandbox = LiveSandbox(
            _bound_url(process, log_path),
            env["QBO_SANDBOX_CLIENT_ID"],
            env["QBO_SANDBOX_CLIENT_SECRET"],
            env["QBO_SANDBOX_WEBHOOK_VERIFIER"],
            process,
            log_path,
        )
        _wait_until_up(sandbox)
        yield sandbox
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen) -> None:
    """Ask a helper process to stop; kill it if it has not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class WebhookReceiver:
    """A tiny HTTP server on 127.0.0.1 that records what it is sent and answers the statuses queued."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []  # answered in turn; 200 once empty
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._arrived:
                    receiver.received.append({"headers": dict(self.headers), "body": body, "status": status})
                    receiver._arrived.notify_all()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10) -> list[dict]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return self.received

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def intuit_signature(body: bytes, verifier: str) -> str:
    """Recomputed independently of the sandbox: base64(HMAC-SHA256(body, verifier token))."""
    return base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest()).decode()
