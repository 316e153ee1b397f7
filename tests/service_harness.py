"""Helpers for the service tests: a config file, a service in-process or as `disarmwatch serve`,
a local SMTP server (aiosmtpd) and a local webhook receiver, and waiting for conditions."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from mirror import Mirror
from tests.crawl_harness import TEST_SCRAPY_SETTINGS
from tracker.config import load_config
from tracker.db import Database
from tracker.service.demo import AlertReceiver
from tracker.service.runner import Service, ServiceOptions
from tracker.settings import SITE_URL_FIELDS, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def config_text(
    sources: list[dict[str, Any]],
    rules: list[dict[str, Any]] = (),  # type: ignore[assignment]
    settings: dict[str, Any] | None = None,
) -> str:
    lines = ["[disarmwatch]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in (settings or {}).items()]
    for table, entries in (("sources", sources), ("rules", rules)):
        for entry in entries:
            lines += ["", f"[[{table}]]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def wait_for(check: Callable[[], Any], timeout: float, every: float = 0.25) -> Any:
    """The first truthy value of check() within `timeout` seconds, else AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {check}")
        time.sleep(every)


class SmtpSink:
    """A local SMTP server (aiosmtpd) keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                sink.messages.append(envelope)
                return "250 OK"

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=disarmwatch@example.org&to={to}&mode=insecure"

    def to(self, address: str) -> list[str]:
        """Subjects+bodies of the messages sent to `address`."""
        return [
            m.content.decode("utf-8", "replace") for m in self.messages if address in m.rcpt_tos
        ]


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture
def webhook() -> Iterator[AlertReceiver]:
    receiver = AlertReceiver(out=io.StringIO()).start()
    yield receiver
    receiver.stop()


def hook_messages(receiver: AlertReceiver, path: str) -> list[dict[str, Any]]:
    return [m for m in receiver.messages if m["path"] == path]


@pytest.fixture
def service_env(
    un_mirror: Mirror, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """DISARMWATCH_* pointing at the mirror and the test database (also set in os.environ)."""
    env = {
        "DISARMWATCH_DATABASE_URL": database_url,
        "DISARMWATCH_DATA_DIR": str(tmp_path / "data"),
        "DISARMWATCH_CONFIG": str(tmp_path / "service.toml"),
    }
    for site, field in SITE_URL_FIELDS.items():
        env[f"DISARMWATCH_{field.upper()}"] = un_mirror.base_urls[site]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def write_config(env: dict[str, str], text: str) -> Path:
    path = Path(env["DISARMWATCH_CONFIG"])
    path.write_text(text)
    return path


def start_service(db: Database, *, web: bool = False, workers: int = 4) -> Service:
    """A service in this process (scheduler, no web by default) with the current config."""
    settings: Settings = load_settings()
    config = load_config(settings.config_file)
    service = Service(
        settings,
        config,
        db,
        ServiceOptions(
            web=web, workers=workers, grace=2.0, scrapy_settings=dict(TEST_SCRAPY_SETTINGS)
        ),
    )
    service.start()
    return service


def serve_process(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    """`disarmwatch serve` as a child process (its own session, so kill -9 is precise)."""
    sets = [f"--set={k}={json.dumps(v)}" for k, v in TEST_SCRAPY_SETTINGS.items()]
    # The installed console script, as users run it (python -m would load tracker.cli twice).
    cmd = [str(Path(sys.executable).parent / "disarmwatch"), "serve", *args, *sets]
    full_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=full_env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
