"""One router per mirrored site; SITES fixes the site names and their port order."""

from __future__ import annotations

from mirror.http import Router
from mirror.sites import igov, library, meetings, ods, treaties, undocs, unoda

SITES: dict[str, Router] = {
    "undocs": undocs.router,
    "ods": ods.router,
    "library": library.router,
    "unoda": unoda.router,
    "meetings": meetings.meetings,
    "docs_library": meetings.docs_library,
    "treaties_unoda": treaties.treaties_unoda,
    "unoda_gql": treaties.unoda_gql,
    "untc": treaties.untc,
    "igov": igov.router,
}
