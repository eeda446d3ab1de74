"""A `manage.py qbo_sandbox` process for the benchmarks: a free port, start it and wait until it answers, stop it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox(port: int, folder: str, **env: str) -> subprocess.Popen:
    """The sandbox on 127.0.0.1:`port`, logging into `folder`, with this environment plus `env`."""
    import requests

    log = open(os.path.join(folder, "qbo_sandbox.log"), "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "manage.py", "qbo_sandbox", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"qbo_sandbox exited: {Path(log.name).read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/_sandbox/state", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("qbo_sandbox did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
