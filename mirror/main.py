"""Running the mirror for people: `python -m mirror --port-base 8100`."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from pathlib import Path

from mirror.core import Mirror


def serve_forever(
    corpus_dir: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port_base: int | None = None,
    extra_symbols: int = 0,
    scenario: str | Path | None = None,
    out: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Start a mirror, print its base URLs, serve until `stop` is set or Ctrl-C."""
    mirror = Mirror(corpus_dir, host=host, port_base=port_base, extra_symbols=extra_symbols)
    with mirror:
        for site, url in mirror.base_urls.items():
            out(f"{site:15} {url}")
        out(f"control API: POST {mirror.url('undocs', '/_mirror/<change>')} (JSON)")
        if scenario:
            out(f'scenario {scenario}: POST /_mirror/scenario {{"path": ..., "round": N}}')
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            out("stopping")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mirror", description=__doc__)
    parser.add_argument("--corpus", help="corpus folder (default $DISARMWATCH_CORPUS)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-base", type=int, help="site i listens on PORT_BASE + i")
    parser.add_argument("--extra-symbols", type=int, default=0)
    parser.add_argument("--scenario", help="scenario file to name in the banner")
    args = parser.parse_args(argv)
    serve_forever(
        args.corpus,
        host=args.host,
        port_base=args.port_base,
        extra_symbols=args.extra_symbols,
        scenario=args.scenario,
    )
