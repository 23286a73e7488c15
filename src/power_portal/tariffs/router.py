"""Tariff routes: list, create, validate, read, replace and delete tariffs (bills: billing)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, status

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.core.responses import BODY, CONFLICT, not_found
from power_portal.tariffs import service
from power_portal.tariffs.models import Tariff
from power_portal.tariffs.schemas import TariffIn, TariffRead, TariffSummary, ValidationReport

router = APIRouter(prefix="/api", tags=["tariffs"], responses=AUTH_RESPONSES)

TARIFF_404 = not_found("tariff")


@router.get("/tariffs", response_model=list[TariffSummary])
async def list_tariffs(_: ViewerUser, db: SessionDep) -> Sequence[Tariff]:
    return await service.list_tariffs(db)


@router.post(
    "/tariffs", response_model=TariffRead, status_code=status.HTTP_201_CREATED, responses=BODY
)
async def create_tariff(body: TariffIn, _: AdminUser, db: SessionDep) -> Tariff:
    return await service.create_tariff(db, body)


@router.post(
    "/tariffs/validate",
    summary="Check a tariff without saving it (the editor's live validation)",
    responses=BODY,
)
async def validate_tariff(body: TariffIn, _: AdminUser) -> ValidationReport:
    return service.validation_report(body)


@router.get("/tariffs/{tariff_id}", response_model=TariffRead, responses=TARIFF_404)
async def get_tariff(tariff_id: PathId, _: ViewerUser, db: SessionDep) -> Tariff:
    return await service.get_tariff(db, tariff_id)


@router.put(
    "/tariffs/{tariff_id}",
    response_model=TariffRead,
    summary="Replace the tariff and all its versions",
    responses={**TARIFF_404, **BODY},
)
async def replace_tariff(tariff_id: PathId, body: TariffIn, _: AdminUser, db: SessionDep) -> Tariff:
    return await service.replace_tariff(db, tariff_id, body)


@router.delete(
    "/tariffs/{tariff_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**TARIFF_404, **CONFLICT},
)
async def delete_tariff(tariff_id: PathId, _: AdminUser, db: SessionDep) -> None:
    await service.delete_tariff(db, tariff_id)
