"""Request dependencies: a database session per request, the settings, the write token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.db import Database
from tracker.settings import Settings

bearer = HTTPBearer(auto_error=False, description="settings.api_token (DISARMWATCH_API_TOKEN)")


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_config(request: Request) -> Config:
    return request.app.state.config


def get_session(request: Request) -> Iterator[Session]:
    # Read-only requests: no transaction is committed; the session closes with the request.
    with request.app.state.db.session() as session:
        yield session


def require_token(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> None:
    """Write endpoints: 403 when no token is configured (they are off), 401 without the token."""
    token = request.app.state.settings.api_token
    if not token:
        raise HTTPException(
            403, "write endpoints are off: no api_token is configured (DISARMWATCH_API_TOKEN)"
        )
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401,
            "a valid 'Authorization: Bearer <api_token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
