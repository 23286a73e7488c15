"""Who may call a route, declared in its signature.

Every API route takes one of these (or is on the short public list):

- ``ViewerUser``: a signed-in, active viewer or admin; read access. A tenant user is refused.
- ``AdminUser``: an admin; everything.
- ``ReaderUser``: a viewer, an admin or a tenant user: the routes a tenant user may call too
  (docs/api/tenants.md, "Tenant users"); ``Reader.tenant_id`` says whose meters it may see.
- ``AdminOrTenantUser``: an admin, or a tenant user (for its own tenant: the route checks).
- ``TenantUser``: a tenant user only.
- ``CurrentSession``: the signed-in user's session (logout and the like; a tenant user too).

A tenant user's request is scoped to its tenant for the whole transaction
(``core.scope.scope_to_tenant``: row-level security as the second line behind the services).

A state-changing request (POST/PUT/PATCH/DELETE) authenticated by the session
cookie must carry ``X-CSRF-Token`` equal to the ``portal_csrf`` cookie and to the
session's own token, else ``403``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import repository, service
from power_portal.auth.models import Role, User
from power_portal.auth.service import ActiveSession
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.errors import NotFoundError
from power_portal.core.scope import scope_to_tenant
from power_portal.core.time import utcnow
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
    if active.user.tenant_id is not None:
        await scope_to_tenant(db, active.user.tenant_id)
    return active


CurrentSession = Annotated[ActiveSession, Depends(get_active_session)]


TENANT_REFUSED = "a tenant user may not call this: only its own meters, energy and bills"


async def require_viewer(active: CurrentSession) -> User:
    if active.user.role == Role.TENANT:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=TENANT_REFUSED)
    return active.user


async def require_admin(active: CurrentSession) -> User:
    if active.user.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the admin role")
    return active.user


@dataclass(frozen=True)
class Reader:
    """Who reads: the user, and the tenant it is limited to (None: every row)."""

    user: User

    @property
    def tenant_id(self) -> int | None:
        return self.user.tenant_id if self.user.role == Role.TENANT else None


async def require_reader(active: CurrentSession) -> Reader:
    return Reader(active.user)


async def require_admin_or_tenant(active: CurrentSession) -> Reader:
    if active.user.role not in (Role.ADMIN, Role.TENANT):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the admin role")
    return Reader(active.user)


async def require_tenant_user(active: CurrentSession) -> User:
    if active.user.role != Role.TENANT or active.user.tenant_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs a tenant user")
    return active.user


async def check_tenant_reads_meter(
    db: AsyncSession,
    reader: Reader,
    *,
    device_id: int | None = None,
    virtual_meter_id: int | None = None,
    now: bool = False,
) -> None:
    """Refuse a tenant user a meter its tenant never held (or, ``now``, does not hold now):
    404 "no device/virtual meter with id …", as if it did not exist. Others pass."""
    if reader.tenant_id is None:
        return
    at = utcnow() if now else None
    if not await repository.tenant_holds(
        db, reader.tenant_id, device_id=device_id, virtual_meter_id=virtual_meter_id, at=at
    ):
        what = "device" if device_id is not None else "virtual meter"
        raise NotFoundError(f"no {what} with id {device_id or virtual_meter_id}")


ViewerUser = Annotated[User, Depends(require_viewer)]
AdminUser = Annotated[User, Depends(require_admin)]
ReaderUser = Annotated[Reader, Depends(require_reader)]
AdminOrTenantUser = Annotated[Reader, Depends(require_admin_or_tenant)]
TenantUser = Annotated[User, Depends(require_tenant_user)]

AUTH_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in, or the session expired"},
    403: {"description": "Wrong role, or the CSRF check failed"},
}
