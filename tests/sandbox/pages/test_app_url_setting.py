"""QBO_APP_URL: Costline's links into QuickBooks open the sandbox's pages when Costline talks to the sandbox.

The settings module is run afresh for each environment (runpy, no Django setup), the way a process starts.
"""

import runpy
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parents[3] / "config" / "settings.py"
INTUIT = "https://app.qbo.intuit.com/app"


def settings_with(monkeypatch, **env) -> dict:
    for name in ("QBO_APP_URL", "QBO_SANDBOX_URL", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "test-only")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.mark.parametrize(
    ("env", "app_url"),
    [
        ({"DEBUG": "1"}, "http://127.0.0.1:8765/app"),  # the README's setup: the sandbox by default
        ({"DEBUG": "0", "QBO_SANDBOX_URL": "http://127.0.0.1:9000/"}, "http://127.0.0.1:9000/app"),
        ({"DEBUG": "0"}, INTUIT),  # production: no sandbox, Intuit's app
        ({"DEBUG": "1", "QBO_SANDBOX_URL": ""}, INTUIT),  # development against Intuit
        (
            {"DEBUG": "1", "QBO_APP_URL": "https://app.sandbox.qbo.intuit.com/app"},
            "https://app.sandbox.qbo.intuit.com/app",
        ),
        ({"DEBUG": "0", "QBO_APP_URL": INTUIT, "QBO_SANDBOX_URL": "http://127.0.0.1:8765"}, INTUIT),  # set wins
    ],
)
def test_links_default_to_the_sandbox_only_when_costline_runs_against_it(monkeypatch, env, app_url):
    assert settings_with(monkeypatch, **env)["QBO_APP_URL"] == app_url
