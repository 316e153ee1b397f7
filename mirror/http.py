"""Request/response values and a small regex router, shared by every site module."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from mirror.core import Mirror

# Real UN hosts -> mirror site, so links inside served pages point back into the mirror.
REAL_HOSTS = {
    "https://undocs.org": "undocs",
    "http://undocs.org": "undocs",
    "http://www.undocs.org": "undocs",
    "https://docs.un.org": "undocs",
    "https://documents.un.org": "ods",
    "https://digitallibrary.un.org": "library",
    "https://disarmament.unoda.org": "unoda",
    "https://www.unoda.org": "unoda",
    "https://www.un.org/disarmament": "unoda",
    "https://meetings.unoda.org": "meetings",
    "http://meetings.unoda.org": "meetings",
    "https://docs-library.unoda.org": "docs_library",
    "https://treaties.unoda.org": "treaties_unoda",
    "https://gql-api-dataportal.unoda.org": "unoda_gql",
    "https://treaties.un.org": "untc",
    "https://igov.un.org": "igov",
}


@dataclass
class Request:
    method: str
    path: str  # percent-decoded
    raw_path: str  # as sent, path only
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    site: str
    mirror: Mirror

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def url(self, site: str, path: str = "") -> str:
        return self.mirror.base_urls[site] + path


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def html(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"))


def text(body: str, content_type: str = "text/plain; charset=utf-8", status: int = 200) -> Response:
    return Response(status, body.encode("utf-8"), content_type)


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8")


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", "text/html; charset=utf-8", {"Location": location})


def not_found() -> Response:
    return html("<html><body><h1>404 Not Found</h1></body></html>", 404)


def rewrite_hosts(body: str, base_urls: dict[str, str]) -> str:
    """Point real UN links in a served page at the mirror's own sites."""
    for real in sorted(REAL_HOSTS, key=len, reverse=True):
        body = body.replace(real, base_urls[REAL_HOSTS[real]])
    return body


Handler = Callable[..., Response]


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[tuple[str, ...], re.Pattern[str], Handler]] = []

    def route(self, pattern: str, methods: tuple[str, ...] = ("GET",)) -> Callable:
        def register(fn: Handler) -> Handler:
            self.routes.append((methods, re.compile(pattern), fn))
            return fn

        return register

    def dispatch(self, req: Request) -> Response:
        method = "GET" if req.method == "HEAD" else req.method
        allowed = False
        for methods, rx, fn in self.routes:
            m = rx.fullmatch(req.path)
            if m:
                if method in methods:
                    return fn(req, **m.groupdict())
                allowed = True
        return html("<h1>405</h1>", 405) if allowed else not_found()


def parse_query(raw: str) -> dict[str, list[str]]:
    return parse_qs(raw, keep_blank_values=True)
