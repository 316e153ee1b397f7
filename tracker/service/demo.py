"""`disarmwatch demo`: the whole service against the local UN mirror, with no internet.

It starts the mirror, a local receiver for alerts (Apprise `json://` posts to it, and it prints
each message), and a service (scheduler and web) watching the mirror with `config/demo.toml`,
on a scratch SQLite database. Every `round_every` seconds it applies the next round of
`mirror/scenarios/demo.toml` (a reply posted, a draft revised, a ratification, an adoption...),
so a newcomer sees crawls, events, alerts and feeds appear within a minute or two.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tracker.settings import SITE_URL_FIELDS

DEMO_CONFIG = Path("config") / "demo.toml"
SCENARIO = "demo.toml"
# Against a loopback mirror there is no one to be polite to: no throttling, quick retries.
FAST_SCRAPY = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_BACKOFF_BASE": 0.5,
    "LOG_LEVEL": "INFO",
}
RULE_CHANNEL_PATHS = {"everything": "demo", "tpnw-ratifications": "tpnw"}


def demo_config_path() -> Path:
    """config/demo.toml in the working directory, else next to the installed package."""
    if DEMO_CONFIG.exists():
        return DEMO_CONFIG.resolve()
    return Path(__file__).resolve().parents[2] / DEMO_CONFIG


class AlertReceiver:
    """A local HTTP endpoint for Apprise's json:// channel: prints and keeps what it receives."""

    def __init__(self, out: Any = None) -> None:
        self.out = out or sys.stdout
        self.messages: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    message = json.loads(body or b"{}")
                except json.JSONDecodeError:
                    message = {"message": body.decode("utf-8", "replace")}
                message["path"] = self.path
                receiver.received(message)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:  # quiet: the demo prints the alerts
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def received(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        title = message.get("title") or "(no title)"
        body = (message.get("message") or "").strip().splitlines()
        print(f"\n>>> ALERT to {message['path']}: {title}", file=self.out, flush=True)
        for line in body[:6]:
            print(f"    {line}", file=self.out, flush=True)

    def start(self) -> AlertReceiver:
        threading.Thread(target=self.httpd.serve_forever, name="alerts", daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def demo_environment(
    base_urls: dict[str, str], receiver_port: int, data_dir: Path, web_port: int
) -> dict[str, str]:
    """The DISARMWATCH_* variables that point the service at the mirror and the receiver."""
    env = {
        "DISARMWATCH_CONFIG": str(demo_config_path()),
        "DISARMWATCH_DATA_DIR": str(data_dir),
        "DISARMWATCH_DATABASE_URL": f"sqlite:///{data_dir / 'demo.db'}",
        "DISARMWATCH_PUBLIC_URL": f"http://127.0.0.1:{web_port}",
    }
    for site, field in SITE_URL_FIELDS.items():
        env[f"DISARMWATCH_{field.upper()}"] = base_urls[site]
    for rule, path in RULE_CHANNEL_PATHS.items():
        name = rule.upper().replace("-", "_")
        channel = f"json://127.0.0.1:{receiver_port}/{path}"
        env[f"DISARMWATCH_RULES__{name}__CHANNELS"] = json.dumps([channel])
    return env


def _rounds(mirror: Any, every: float, stop: threading.Event) -> None:
    from mirror.scenarios import rounds

    for number in rounds(SCENARIO):
        if stop.wait(every):
            return
        results = mirror.run_scenario(SCENARIO, round=number)
        print(
            f"\n=== mirror: scenario round {number} applied ({len(results)} changes); "
            "the next crawls will notice",
            flush=True,
        )
    print("\n=== mirror: the scenario is over; the service keeps watching (Ctrl-C ends)")


def run_demo(port: int = 8000, round_every: float = 60.0, data_dir: str | None = None) -> int:
    from mirror import Mirror
    from tracker.config import load_config
    from tracker.db import Database
    from tracker.service.logs import setup_logging
    from tracker.service.runner import Service, ServiceOptions
    from tracker.settings import load_settings

    scratch = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="disarmwatch-demo-"))
    scratch.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    receiver = AlertReceiver().start()
    with Mirror() as mirror:
        os.environ.update(demo_environment(mirror.base_urls, receiver.port, scratch, port))
        settings = load_settings()
        config = load_config(settings.config_file)
        setup_logging(settings)
        db = Database.from_settings(settings)
        web = f"http://127.0.0.1:{port}"
        print(
            f"disarmwatch demo: the local UN mirror is up, the service watches it "
            f"({len(config.sources)} sources, every 30-60 s).\n"
            f"  web:    {web}/   events: {web}/events   feed: {web}/feeds/events.atom\n"
            f"  health: {web}/healthz   metrics: {web}/metrics\n"
            f"  data:   {scratch}\n"
            f"The mirror changes every {round_every:g} s (a reply, a revision, a ratification...);"
            " alerts are printed here as they are delivered. Ctrl-C ends the demo.",
            flush=True,
        )
        threading.Thread(
            target=_rounds, args=(mirror, round_every, stop), name="scenario", daemon=True
        ).start()
        options = ServiceOptions(port=port, host="127.0.0.1", scrapy_settings=FAST_SCRAPY)
        try:
            Service(settings, config, db, options).run()
        finally:
            stop.set()
            receiver.stop()
            db.dispose()
    return 0
