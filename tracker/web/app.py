"""The web application: JSON API, pages, security headers and JSON errors.

`create_app` is the one entry point; `disarmwatch serve` (tracker.service) builds it with the
database, the settings, the sources/rules configuration, its own routers (health, metrics, feeds)
and the callback that starts a crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.config import Config
from tracker.db import Database
from tracker.queries import NotFound
from tracker.settings import Settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"

# No script anywhere: pages work without JavaScript, and a stored document that smuggles markup
# past escaping still cannot run any. Styles and images only from this origin (charts are
# inline SVG elements, not data: URLs).
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

API_DESCRIPTION = """\
Versions, diffs, events, citations and treaty status of UN disarmament documents.

**Symbols contain slashes.** Document routes take the whole key as a path:
`/api/documents/A/C.1/80/L.1` is the document `A/C.1/80/L.1`, and the suffixes `/versions` and
`/citations` are matched at the end: `/api/documents/A/C.1/80/L.1/versions`. No UN symbol ends
in `/versions` or `/citations`. Keys may be percent-encoded (`A%2FC.1%2F80%2FL.1` works too).
When two kinds share a key, `?kind=` picks one.

**Write endpoints** (`POST/DELETE /api/watches`, `POST /api/rules`, `POST /api/crawls`) need
`Authorization: Bearer <api_token>`. Without a configured token they answer 403 (off); with one,
a missing or wrong token gets 401 and changes nothing.

Errors are JSON: `{"status": 404, "message": "..."}`; bad parameters are 422 (with `errors`).
"""


class SecurityHeaders:
    """Adds the security headers to every response (pure ASGI: cheap, works for streaming)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # PostgreSQL refuses NUL in text: refuse it here, as a bad parameter, not a 500 later.
        if b"\x00" in scope.get("raw_path", b"") or b"%00" in scope.get("query_string", b""):
            response = JSONResponse(
                {"status": 422, "message": "NUL characters are not allowed in URLs"}, 422
            )
            await response(scope, receive, self._with_headers(send))
            return
        if "%00" in scope.get("path", "") or "\x00" in scope.get("path", ""):
            response = JSONResponse(
                {"status": 422, "message": "NUL characters are not allowed in URLs"}, 422
            )
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        return wrapped


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _error(request: Request, status: int, message: str, **extra: Any) -> Response:
    if _wants_html(request):
        from tracker.web.render import render_error

        return render_error(request, status, message)
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path}"
        response = _error(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{e['where']}: {e['message']}" for e in errors) or "bad request"
        return _error(request, 422, message, errors=errors)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal error; the server log has the details")


def create_app(
    settings: Settings,
    db: Database,
    *,
    config: Config | None = None,
    routers: Sequence[APIRouter] = (),
    trigger_crawl: Callable[[str], Any] | None = None,
) -> FastAPI:
    """The FastAPI application over `db`; `routers` come from the service and alerting."""
    from tracker.web import api, pages, write

    app = FastAPI(
        title="disarmwatch",
        version="1",
        description=API_DESCRIPTION,
        docs_url=None,  # Swagger UI loads scripts from a CDN: not under this CSP, nor offline
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.config = config if config is not None else Config()
    app.state.trigger_crawl = trigger_crawl
    _install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    app.include_router(api.router)
    app.include_router(write.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    return app
