"""Faults on demand: the failures real UN servers show, injected per site/path and count.

Kinds:
  slow          answer normally after `delay` seconds
  500           (or any status via `status`) an error page
  reset         close the connection without an answer (TCP RST)
  truncate      announce the full Content-Length, send half the body, close
  content_type  serve the normal body with `content_type` (e.g. application/octet-stream)
  redirect_loop 302 back to the same URL, forever
  empty         200 with an empty body
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

KINDS = ("slow", "500", "status", "reset", "truncate", "content_type", "redirect_loop", "empty")


@dataclass
class Fault:
    pattern: str  # substring of path?query, or a regex when it starts with "^"
    kind: str
    times: int | None = None  # None: every time
    site: str | None = None
    delay: float = 2.0
    status: int = 500
    content_type: str = "application/octet-stream"

    def matches(self, site: str, target: str) -> bool:
        if self.site and self.site != site:
            return False
        if self.pattern.startswith("^"):
            return re.search(self.pattern, target) is not None
        return self.pattern in target


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; one of {', '.join(KINDS)}")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, site: str, target: str) -> Fault | None:
        """The first fault matching this request, counting it down (used up faults go)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(site, target):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
