"""HTTP control API, answered on every site under /_mirror/ (JSON in, JSON out):

GET  /_mirror/base_urls            {site: base_url}
GET  /_mirror/requests             [[site, method, path, status], ...]
POST /_mirror/reset                back to the corpus state
POST /_mirror/scenario             {"path": "...toml", "round": 1} or {"steps": [...]}
POST /_mirror/<change>             kwargs of a change in mirror.changes, e.g.
                                   POST /_mirror/publish {"symbol": "A/C.1/80/L.41"}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mirror.http import Request, Response, json_response

if TYPE_CHECKING:
    from mirror.core import Mirror


def handle(mirror: Mirror, req: Request) -> Response:
    action = req.path.removeprefix("/_mirror/").strip("/")
    if req.method == "GET":
        if action == "base_urls":
            return json_response(mirror.base_urls)
        if action == "requests":
            return json_response([list(r) for r in mirror.requests])
        return json_response({"error": f"GET /_mirror/{action} unknown"}, 404)
    try:
        args = req.json()
        if action == "reset":
            mirror.reset()
            return json_response({"ok": True})
        if action == "scenario":
            steps = args.get("steps") or args["path"]
            results = mirror.run_scenario(steps, round=args.get("round"))
            return json_response({"ok": True, "results": results})
        return json_response({"ok": True, "result": mirror.apply(action, **args)})
    except (KeyError, TypeError, ValueError) as exc:
        return json_response({"ok": False, "error": f"{exc.__class__.__name__}: {exc}"}, 400)
