"""Service logs: text or JSON lines, and channel URLs never written in clear."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from tracker.service.logs import setup_logging
from tracker.settings import Settings

SECRET_URL = "mailtos://alerts:s3cr3t-pass@example.org?to=desk@example.org"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_logs_mask_channel_urls(fmt: str, restore_root: None) -> None:
    stream = io.StringIO()
    setup_logging(Settings(log_format=fmt), stream=stream)
    log = logging.getLogger("disarmwatch.test")
    log.warning("sending to %s failed", SECRET_URL, extra={"source": "tpnw"})
    log.info("crawling http://127.0.0.1:8000/api/symbol/access?s=A%2FC.1%2F80%2FL.1")
    out = stream.getvalue()
    assert "s3cr3t-pass" not in out
    assert "http://127.0.0.1:8000/api/symbol/access" in out  # web links stay readable
    if fmt == "json":
        first = json.loads(out.splitlines()[0])
        assert first["level"] == "WARNING" and first["source"] == "tpnw"
        assert first["message"].startswith("sending to mailtos://")


def test_bad_log_format_is_refused(restore_root: None) -> None:
    with pytest.raises(ValueError, match="log_format"):
        setup_logging(Settings(log_format="xml"))
