"""Sign-in routes: log in and out, your own account, your own password."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from power_portal.auth import service
from power_portal.auth.dependencies import (
    AUTH_RESPONSES,
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentSession,
    ReaderUser,
)
from power_portal.auth.models import User
from power_portal.auth.passwords import VerificationGate
from power_portal.auth.schemas import LoggedOutEverywhere, LoginRequest, PasswordChange, UserRead
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.metrics import metrics_of
from power_portal.core.responses import BODY, ProblemDetail
from power_portal.settings import Settings

router = APIRouter(prefix="/api/auth", tags=["auth"])


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def verification_gate(request: Request) -> VerificationGate:
    gate: VerificationGate = request.app.state.verification_gate
    return gate


def count_refusal(request: Request, refused: service.LoginRefusedError) -> None:
    """Refusals before verification are counted, not stored one row per request."""
    metrics = metrics_of(request.app)
    if metrics is not None:
        metrics.login_refusals.labels(refused.limit.value).inc()


def _set_session_cookies(
    response: Response, session_token: str, csrf_token: str, settings: Settings
) -> None:
    max_age = settings.auth.session_absolute_hours * 3600
    secure = settings.is_production
    response.set_cookie(
        SESSION_COOKIE,
        session_token,
        max_age=max_age,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token.
    response.set_cookie(
        CSRF_COOKIE, csrf_token, max_age=max_age, httponly=False, secure=secure, samesite="lax"
    )


def _clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(
            name, path="/", secure=settings.is_production, httponly=httponly, samesite="lax"
        )


@router.post(
    "/login",
    response_model=UserRead,
    summary="Sign in with e-mail and password (public)",
    responses={
        **BODY,
        401: {"model": ProblemDetail, "description": "Wrong e-mail or password"},
        423: {
            "model": ProblemDetail,
            "description": "Too many failures from this address on this account; see Retry-After",
        },
        429: {
            "model": ProblemDetail,
            "description": "Slowed down (this address, or new addresses on this account),"
            " or too many sign-ins at once; see Retry-After",
        },
    },
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    db: SessionDep,
    settings: SettingsDep,
) -> User:
    try:
        signed_in = await service.login(
            db,
            email=body.email,
            password=body.password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
            replaces=request.cookies.get(SESSION_COOKIE),
            settings=settings.auth,
            gate=verification_gate(request),
        )
    except service.LoginRefusedError as refused:
        count_refusal(request, refused)
        raise
    _set_session_cookies(response, signed_in.session_token, signed_in.csrf_token, settings)
    return signed_in.user


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session",
    responses=AUTH_RESPONSES,
)
async def logout(
    response: Response, active: CurrentSession, db: SessionDep, settings: SettingsDep
) -> None:
    await service.sign_out(db, active)
    _clear_session_cookies(response, settings)


@router.post(
    "/logout-all",
    summary="End every session of the signed-in user, this one included",
    responses=AUTH_RESPONSES,
)
async def logout_everywhere(
    response: Response, active: CurrentSession, db: SessionDep, settings: SettingsDep
) -> LoggedOutEverywhere:
    ended = await service.end_all_sessions(db, active.user.id)
    _clear_session_cookies(response, settings)
    return LoggedOutEverywhere(sessions_ended=ended)


@router.get("/me", response_model=UserRead, summary="The signed-in user", responses=AUTH_RESPONSES)
async def me(reader: ReaderUser) -> User:
    return reader.user


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your own password (other sessions are ended)",
    responses={
        **AUTH_RESPONSES,
        **BODY,
        423: {"model": ProblemDetail, "description": "Too many wrong current passwords"},
        429: {"model": ProblemDetail, "description": "Slowed down; see Retry-After"},
    },
)
async def change_own_password(
    body: PasswordChange,
    active: CurrentSession,
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
) -> None:
    try:
        await service.change_own_password(
            db,
            active,
            body,
            ip=client_ip(request),
            settings=settings.auth,
            gate=verification_gate(request),
        )
    except service.LoginRefusedError as refused:
        count_refusal(request, refused)
        raise
