"""Who may call a route, declared in its signature.

Every API route takes one of these (or is on the short public list):

- ``ViewerUser``: any signed-in, active user (admins included); read access.
- ``AdminUser``: an admin; everything.
- ``CurrentSession``: the signed-in user's session (logout and the like).

A state-changing request (POST/PUT/PATCH/DELETE) authenticated by the session
cookie must carry ``X-CSRF-Token`` equal to the ``portal_csrf`` cookie and to the
session's own token, else ``403``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from power_portal.auth import service
from power_portal.auth.models import Role, User
from power_portal.auth.service import ActiveSession
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.tokens import tokens_match

SESSION_COOKIE = "portal_session"
CSRF_COOKIE = "portal_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NOT_AUTHENTICATED = "not signed in, or the session has expired: log in again"


async def get_active_session(
    request: Request, db: SessionDep, settings: SettingsDep
) -> ActiveSession:
    token = request.cookies.get(SESSION_COOKIE)
    active = await service.resolve_session(db, token, settings.auth) if token else None
    if active is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=NOT_AUTHENTICATED)
    if request.method not in SAFE_METHODS:
        header = request.headers.get(CSRF_HEADER)
        cookie = request.cookies.get(CSRF_COOKIE)
        if not (
            tokens_match(header, active.session.csrf_token)
            and tokens_match(cookie, active.session.csrf_token)
        ):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"CSRF check failed: send the {CSRF_COOKIE} cookie's value "
                f"in the {CSRF_HEADER} header",
            )
    request.state.user_id = active.user.id
    return active


CurrentSession = Annotated[ActiveSession, Depends(get_active_session)]


async def require_viewer(active: CurrentSession) -> User:
    return active.user


async def require_admin(active: CurrentSession) -> User:
    if active.user.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the admin role")
    return active.user


ViewerUser = Annotated[User, Depends(require_viewer)]
AdminUser = Annotated[User, Depends(require_admin)]

AUTH_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in, or the session expired"},
    403: {"description": "Wrong role, or the CSRF check failed"},
}
