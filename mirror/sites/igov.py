"""igov.un.org: the proposals API answering the real First Committee 80th-session JSON."""

from __future__ import annotations

from mirror.http import Request, Response, Router, json_response

router = Router()


@router.route(r"/igov/api/proposals/(?P<session>[^/]+)/(?P<committee>[^/]+)")
def proposals(req: Request, session: str, committee: str) -> Response:
    with req.mirror.state.lock:
        answer = req.mirror.state.igov.get(f"{session.upper()}|{committee}")
        if answer is None:
            return json_response({"message": "Success", "success": True, "result": []})
        return json_response(answer)
