"""User administration routes (admins only): list, create, change, delete, unlock, reset."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, status

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser
from power_portal.auth.models import User
from power_portal.auth.schemas import UserRead
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import PathId
from power_portal.core.responses import BODY, ProblemDetail, Responses, not_found
from power_portal.users import service
from power_portal.users.schemas import (
    PasswordReset,
    UserCreate,
    UserUpdate,
)

router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTH_RESPONSES)

NOT_FOUND = not_found("user")
LAST_ADMIN: Responses = {
    409: {"model": ProblemDetail, "description": "Would leave no active admin"}
}


@router.get("", response_model=list[UserRead])
async def list_users(_: AdminUser, db: SessionDep) -> Sequence[User]:
    return await service.list_users(db)


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED, responses=BODY)
async def create_user(
    body: UserCreate, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> User:
    return await service.create_user(db, body, settings.auth)


@router.get("/{user_id}", response_model=UserRead, responses=NOT_FOUND)
async def get_user(user_id: PathId, _: AdminUser, db: SessionDep) -> User:
    return await service.get_user(db, user_id)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    summary="Rename, change role, activate or deactivate (deactivating ends their sessions)",
    responses={**NOT_FOUND, **LAST_ADMIN, **BODY},
)
async def update_user(user_id: PathId, body: UserUpdate, _: AdminUser, db: SessionDep) -> User:
    return await service.update_user(db, user_id, body)


@router.delete(
    "/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**NOT_FOUND, **LAST_ADMIN}
)
async def delete_user(user_id: PathId, admin: AdminUser, db: SessionDep) -> None:
    await service.delete_user(db, user_id, admin)


@router.post(
    "/{user_id}/unlock",
    response_model=UserRead,
    summary="Clear a lockout after failed logins",
    responses=NOT_FOUND,
)
async def unlock_user(user_id: PathId, _: AdminUser, db: SessionDep) -> User:
    return await service.unlock_user(db, user_id)


@router.post(
    "/{user_id}/password",
    response_model=UserRead,
    summary="Set a new password for a user (their sessions end)",
    responses={**NOT_FOUND, **BODY},
)
async def reset_user_password(
    user_id: PathId, body: PasswordReset, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> User:
    return await service.reset_password(db, user_id, body.password, settings.auth)
