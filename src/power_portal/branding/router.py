from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile, status
from fastapi.responses import FileResponse

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser
from power_portal.branding import service
from power_portal.branding.images import (
    CONTENT_TYPES,
    MAX_UPLOAD_BYTES,
    ImageKind,
    ImageRejectedError,
    clean_image,
)
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


@router.get(
    "",
    response_model=BrandingRead,
    operation_id="getBranding",
    summary="The portal's brand (public: the login page needs it)",
)
async def get_branding(db: SessionDep) -> BrandingRead:
    return service.to_read(await service.get_row(db))


@router.put(
    "",
    response_model=BrandingRead,
    operation_id="updateBranding",
    responses={**AUTH_RESPONSES, **BODY},
)
async def update_branding(body: BrandingUpdate, _: AdminUser, db: SessionDep) -> BrandingRead:
    return await service.update(db, body)


@router.delete(
    "",
    response_model=BrandingRead,
    operation_id="resetBranding",
    summary="Back to the default brand (removes the logo and favicon)",
    responses=AUTH_RESPONSES,
)
async def reset_branding(_: AdminUser, db: SessionDep, settings: SettingsDep) -> BrandingRead:
    return await service.reset(db, settings.resolved_data_dir)


async def _upload(
    kind: ImageKind, request: Request, file: UploadFile, db: SessionDep, settings: SettingsDep
) -> BrandingRead:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="the file is over 2 MB")
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        image = clean_image(data, kind)
    except ImageRejectedError as exc:
        raise HTTPException(exc.status_code, detail=str(exc)) from exc
    return await service.store_image(db, settings.resolved_data_dir, kind, image)


@router.post(
    "/logo",
    response_model=BrandingRead,
    operation_id="uploadLogo",
    summary="Upload the logo (multipart field `file`; PNG, JPEG or WebP, checked by content)",
    responses=UPLOAD_RESPONSES,
)
async def upload_logo(
    request: Request,
    file: Annotated[UploadFile, File()],
    _: AdminUser,
    db: SessionDep,
    settings: SettingsDep,
) -> BrandingRead:
    return await _upload("logo", request, file, db, settings)


@router.post(
    "/favicon",
    response_model=BrandingRead,
    operation_id="uploadFavicon",
    responses=UPLOAD_RESPONSES,
)
async def upload_favicon(
    request: Request,
    file: Annotated[UploadFile, File()],
    _: AdminUser,
    db: SessionDep,
    settings: SettingsDep,
) -> BrandingRead:
    return await _upload("favicon", request, file, db, settings)


@router.delete(
    "/logo", response_model=BrandingRead, operation_id="removeLogo", responses=AUTH_RESPONSES
)
async def remove_logo(_: AdminUser, db: SessionDep, settings: SettingsDep) -> BrandingRead:
    return await service.remove_image(db, settings.resolved_data_dir, "logo")


@router.delete(
    "/favicon",
    response_model=BrandingRead,
    operation_id="removeFavicon",
    responses=AUTH_RESPONSES,
)
async def remove_favicon(_: AdminUser, db: SessionDep, settings: SettingsDep) -> BrandingRead:
    return await service.remove_image(db, settings.resolved_data_dir, "favicon")


@router.get(
    "/assets/{name}",
    operation_id="brandingAsset",
    summary="A stored logo or favicon (public; names are random, so cached for a year)",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in CONTENT_TYPES.values()}}, 404: {}},
)
async def branding_asset(name: str, settings: SettingsDep) -> FileResponse:
    path = service.asset_dir(settings.resolved_data_dir) / name
    if not service.ASSET_NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such asset")
    return FileResponse(
        path,
        media_type=CONTENT_TYPES[name.rsplit(".", 1)[1]],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
