"""HTTP plumbing: one threaded listener per site on loopback, faults applied around handlers."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from mirror.http import Request, Response, parse_query, redirect, text

if TYPE_CHECKING:
    from mirror.core import Mirror

DEFAULT_ROBOTS = "User-agent: *\nDisallow:\n"


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], site: str, mirror: Mirror) -> None:
        super().__init__(addr, SiteHandler)
        self.site = site
        self.mirror = mirror
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[override]
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop kept-alive connections, so a stopped mirror really stops answering."""
        with self.sockets_lock:
            socks = list(self.open_sockets)
        for sock in socks:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy uses
    server: SiteServer

    def log_message(self, format: str, *args: object) -> None:  # quiet; see mirror.log
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_GET

    def _handle(self) -> None:
        mirror = self.server.mirror
        site = self.server.site
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        req = Request(
            self.command,
            unquote(parts.path),
            parts.path,
            parse_query(parts.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
            site,
            mirror,
        )
        if req.path.startswith("/_mirror/"):
            self._send(mirror.control(req))
            return
        fault = mirror.faults.take(site, self.path)
        if fault and fault.kind == "reset":
            self._reset()
            return
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        if fault and fault.kind in ("500", "status"):
            status = fault.status if fault.kind == "status" else 500
            resp = text("Internal Server Error", status=status)
        elif fault and fault.kind == "redirect_loop":
            resp = redirect(mirror.base_urls[site] + self.path)
        elif fault and fault.kind == "empty":
            resp = Response(200, b"", "text/html; charset=utf-8")
        elif req.path == "/robots.txt":
            with mirror.state.lock:
                robots = mirror.state.robots.get(site, DEFAULT_ROBOTS)
            resp = text(robots)
        else:
            resp = mirror.dispatch(req)
        if fault and fault.kind == "content_type":
            resp.content_type = fault.content_type
        with mirror.state.lock:
            validators = site in mirror.state.validator_sites
        if validators and resp.status == 200 and self.command == "GET":
            resp = conditional(resp, req.headers)
        mirror.log_request(site, self.command, self.path, resp.status)
        self._send(resp, truncate=bool(fault and fault.kind == "truncate"))

    def _send(self, resp: Response, truncate: bool = False) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for key, value in resp.headers.items():
            self.send_header(key, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        self.wfile.write(resp.body[: len(resp.body) // 2] if truncate else resp.body)

    def _reset(self) -> None:
        # SO_LINGER with timeout 0 makes close() send RST: a "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


VALIDATOR_DATE = "Mon, 06 Oct 2025 09:00:00 GMT"


def conditional(resp: Response, headers: dict[str, str]) -> Response:
    """Add an ETag (from the body) and Last-Modified; a matching If-None-Match gets 304."""
    etag = '"' + hashlib.sha256(resp.body).hexdigest()[:20] + '"'
    resp.headers.update({"ETag": etag, "Last-Modified": VALIDATOR_DATE})
    if headers.get("if-none-match") == etag:
        return Response(304, b"", resp.content_type, {"ETag": etag})
    return resp


def start_site(host: str, port: int, site: str, mirror: Mirror) -> SiteServer:
    server = SiteServer((host, port), site, mirror)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name=site
    )
    thread.start()
    return server


def stop_sites(servers: list[SiteServer]) -> None:
    threads = [threading.Thread(target=s.shutdown) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in servers:
        s.close_connections()
        s.server_close()
