"""Brand routes: read it (public), change or reset it, upload or remove the logo and favicon."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile, status
from fastapi.responses import FileResponse

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser
from power_portal.branding import service
from power_portal.branding.images import CONTENT_TYPES, MAX_UPLOAD_BYTES
from power_portal.branding.models import Branding
from power_portal.branding.schemas import BrandingRead, BrandingUpdate
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.responses import BODY, MALFORMED_BODY, ProblemDetail, Responses

router = APIRouter(prefix="/api/branding", tags=["branding"])

UPLOAD_RESPONSES: Responses = {
    **AUTH_RESPONSES,
    **MALFORMED_BODY,
    413: {"model": ProblemDetail, "description": "The file is too large"},
    415: {"model": ProblemDetail, "description": "Not a PNG, JPEG or WebP image"},
    422: {"model": ProblemDetail, "description": "Too many pixels"},
    507: {"model": ProblemDetail, "description": "The data directory is full"},
}


def data_dir(settings: SettingsDep) -> Path:
    return settings.resolved_data_dir


DataDir = Annotated[Path, Depends(data_dir)]


async def read_upload(request: Request, file: Annotated[UploadFile, File()]) -> bytes:
    """The uploaded file's bytes, refused early when it is plainly too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="the file is over 2 MB")
    return await file.read(MAX_UPLOAD_BYTES + 1)


Upload = Annotated[bytes, Depends(read_upload)]


@router.get(
    "", response_model=BrandingRead, summary="The portal's brand (public: the login page needs it)"
)
async def get_branding(db: SessionDep) -> Branding:
    return await service.get(db)


@router.put("", response_model=BrandingRead, responses={**AUTH_RESPONSES, **BODY})
async def update_branding(body: BrandingUpdate, _: AdminUser, db: SessionDep) -> Branding:
    return await service.update(db, body)


@router.delete(
    "",
    response_model=BrandingRead,
    summary="Back to the default brand (removes the logo and favicon)",
    responses=AUTH_RESPONSES,
)
async def reset_branding(_: AdminUser, db: SessionDep, folder: DataDir) -> Branding:
    return await service.reset(db, folder)


@router.post(
    "/logo",
    response_model=BrandingRead,
    summary="Upload the logo (multipart field `file`; PNG, JPEG or WebP, checked by content)",
    responses=UPLOAD_RESPONSES,
)
async def upload_logo(_: AdminUser, data: Upload, db: SessionDep, folder: DataDir) -> Branding:
    return await service.store_image(db, folder, "logo", data)


@router.post("/favicon", response_model=BrandingRead, responses=UPLOAD_RESPONSES)
async def upload_favicon(_: AdminUser, data: Upload, db: SessionDep, folder: DataDir) -> Branding:
    return await service.store_image(db, folder, "favicon", data)


@router.delete("/logo", response_model=BrandingRead, responses=AUTH_RESPONSES)
async def remove_logo(_: AdminUser, db: SessionDep, folder: DataDir) -> Branding:
    return await service.remove_image(db, folder, "logo")


@router.delete("/favicon", response_model=BrandingRead, responses=AUTH_RESPONSES)
async def remove_favicon(_: AdminUser, db: SessionDep, folder: DataDir) -> Branding:
    return await service.remove_image(db, folder, "favicon")


@router.get(
    "/assets/{name}",
    summary="A stored logo or favicon (public; names are random, so cached for a year)",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in CONTENT_TYPES.values()}}, 404: {}},
)
async def branding_asset(name: str, folder: DataDir) -> FileResponse:
    found = service.asset(folder, name)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
