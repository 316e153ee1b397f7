"""The Mirror: starts one loopback listener per site, holds the state, applies changes."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any

from mirror import changes, control
from mirror.corpus import build_state, default_corpus_dir
from mirror.faults import Faults
from mirror.http import Request, Response
from mirror.server import SiteServer, start_site, stop_sites
from mirror.sites import SITES


class Mirror:
    """A local stand-in for the UN sites.

    >>> with Mirror() as m:
    ...     m.base_urls["undocs"]          # "http://127.0.0.1:PORT"
    ...     m.publish("A/C.1/80/L.41", text=["..."])

    Ports are ephemeral unless `port_base` (site i gets port_base + i, in SITES order) or
    `ports` ({site: port}) is given. `extra_symbols=N` also serves the corpus drafts under the
    made-up symbols A/C.1/99/L.1..N (for benchmarks).
    """

    def __init__(
        self,
        corpus_dir: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port_base: int | None = None,
        ports: dict[str, int] | None = None,
        extra_symbols: int = 0,
    ) -> None:
        self.corpus_dir = Path(corpus_dir) if corpus_dir else default_corpus_dir()
        if not (self.corpus_dir / "pdf").is_dir():
            raise FileNotFoundError(f"no UN corpus at {self.corpus_dir} (set DISARMWATCH_CORPUS)")
        self.charter_dir = self.corpus_dir / "charter"
        self.host = host
        self.extra_symbols = extra_symbols
        self._ports = dict(ports or {})
        if port_base is not None:
            for i, site in enumerate(SITES):
                self._ports.setdefault(site, port_base + i)
        self.faults = Faults()
        self.state = build_state(self.corpus_dir, extra_symbols)
        self.base_urls: dict[str, str] = {}
        self.requests: deque[tuple[str, str, str, int]] = deque(maxlen=10000)
        self._servers: list[SiteServer] = []
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Mirror:
        with self._lock:
            if self._servers:
                return self
            try:
                for site in SITES:
                    server = start_site(self.host, self._ports.get(site, 0), site, self)
                    self._servers.append(server)
                    self.base_urls[site] = f"http://{self.host}:{server.server_address[1]}"
            except OSError:
                stop_sites(self._servers)
                self._servers = []
                raise
        return self

    def stop(self) -> None:
        with self._lock:
            stop_sites(self._servers)
            self._servers = []

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the corpus state: documents, records, treaties, iGov, robots; faults cleared;
        request log emptied."""
        fresh = build_state(self.corpus_dir, self.extra_symbols)
        with self.state.lock:
            for name in fresh.__dataclass_fields__:
                if name != "lock":
                    setattr(self.state, name, getattr(fresh, name))
        self.faults.clear()
        self.requests.clear()

    # -- serving ---------------------------------------------------------------------------
    def dispatch(self, req: Request) -> Response:
        return SITES[req.site].dispatch(req)

    def control(self, req: Request) -> Response:
        return control.handle(self, req)

    def log_request(self, site: str, method: str, path: str, status: int) -> None:
        self.requests.append((site, method, path, status))

    def url(self, site: str, path: str = "") -> str:
        return self.base_urls[site] + path

    # -- changes ---------------------------------------------------------------------------
    def apply(self, action: str, **kwargs: Any) -> dict[str, Any]:
        """Apply one named change (see mirror.changes.CHANGES) atomically."""
        fn = changes.CHANGES.get(action)
        if fn is None:
            raise KeyError(
                f"unknown change {action!r}; known: {', '.join(sorted(changes.CHANGES))}"
            )
        ctx = changes.Context(self.corpus_dir, self.faults, self.base_urls.get("library", ""))
        with self.state.lock:
            return fn(self.state, ctx, **kwargs)

    def publish(self, symbol: str, lang: str = "en", **kw: Any) -> dict[str, Any]:
        return self.apply("publish", symbol=symbol, lang=lang, **kw)

    def add_language(self, symbol: str, lang: str) -> dict[str, Any]:
        return self.apply("add_language", symbol=symbol, lang=lang)

    def announce(self, symbol: str, lang: str | None = None) -> dict[str, Any]:
        return self.apply("announce", symbol=symbol, lang=lang)

    def remove(self, symbol: str, lang: str | None = None) -> dict[str, Any]:
        return self.apply("remove", symbol=symbol, lang=lang)

    def revise(self, symbol: str, lang: str = "en", **kw: Any) -> dict[str, Any]:
        return self.apply("revise", symbol=symbol, lang=lang, **kw)

    def post_reply(self, submitter: str, **kw: Any) -> dict[str, Any]:
        return self.apply("post_reply", submitter=submitter, **kw)

    def rerender(self, symbol: str, lang: str, size: float = 10.0) -> dict[str, Any]:
        return self.apply("rerender", symbol=symbol, lang=lang, size=size)

    def meeting_document(self, title: str, href: str, **kw: Any) -> dict[str, Any]:
        return self.apply("meeting_document", title=title, href=href, **kw)

    def treaty_action(self, participant: str, **kw: Any) -> dict[str, Any]:
        return self.apply("treaty_action", participant=participant, **kw)

    def igov_stage(self, stage: str, **kw: Any) -> dict[str, Any]:
        return self.apply("igov_stage", stage=stage, **kw)

    def send_validators(self, site: str, on: bool = True) -> None:
        """Make `site` send ETag/Last-Modified and honour If-None-Match / If-Modified-Since."""
        with self.state.lock:
            if on:
                self.state.validator_sites.add(site)
            else:
                self.state.validator_sites.discard(site)

    def library_challenge(self, on: bool = True) -> dict[str, Any]:
        return self.apply("library_challenge", on=on)

    def library_update(self, symbol: str, related: str | None = None) -> dict[str, Any]:
        return self.apply("library_update", symbol=symbol, related=related)

    def robots(self, site: str, text: str) -> dict[str, Any]:
        return self.apply("robots", site=site, text=text)

    def fault(self, path: str, kind: str, **kw: Any) -> dict[str, Any]:
        """e.g. fault("/api/symbol/access", kind="500", times=2); see mirror.faults."""
        return self.apply("fault", path=path, kind=kind, **kw)

    def clear_faults(self) -> dict[str, Any]:
        return self.apply("clear_faults")

    def run_scenario(self, scenario: str | Path | list[dict], round: int | None = None) -> list:
        """Apply a scenario's steps (all, or those of one `round`); see mirror.scenarios."""
        from mirror.scenarios import load_steps

        steps = load_steps(scenario) if not isinstance(scenario, list) else scenario
        results = []
        for step in steps:
            step = dict(step)
            if round is not None and int(step.pop("round", 1)) != round:
                continue
            step.pop("round", None)
            results.append(self.apply(step.pop("action"), **step))
        return results
