"""Tariffs stored by version: create, replace, delete, read (a site's bill is in billing)."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, PortalError, found
from power_portal.tariffs import repository
from power_portal.tariffs.models import Tariff, TariffVersionRow
from power_portal.tariffs.schemas import TariffIn, TariffVersion, ValidationReport
from power_portal.tariffs.validator import TariffProblem, validate_tariff

log = structlog.get_logger(__name__)

_VERSION_COLUMNS = ("effective_from", "effective_to", "vat_percent")


class TariffInvalidError(PortalError):
    """The tariff breaks a consistency rule; ``problems`` name the places."""

    status_code = 422

    def __init__(self, problems: list[TariffProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems

    def detail_body(self) -> object:
        return [problem.as_detail() for problem in self.problems]


def _version_row(version: TariffVersion) -> TariffVersionRow:
    definition = version.model_dump(mode="json", exclude=set(_VERSION_COLUMNS))
    return TariffVersionRow(
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        vat_percent=version.vat_percent,
        definition=definition,
    )


def _assign(tariff: Tariff, document: TariffIn) -> None:
    tariff.name = document.name
    tariff.currency = document.currency
    tariff.timezone = document.timezone
    tariff.public_holidays = (
        document.public_holidays.model_dump(mode="json") if document.public_holidays else None
    )
    tariff.versions = [_version_row(v) for v in document.versions]


def check(document: TariffIn) -> None:
    problems = validate_tariff(document)
    if problems:
        raise TariffInvalidError(problems)


def validation_report(document: TariffIn) -> ValidationReport:
    problems = [p.as_detail() for p in validate_tariff(document)]
    return ValidationReport(valid=not problems, problems=problems)


async def list_tariffs(db: AsyncSession) -> Sequence[Tariff]:
    return await repository.list_with_site_counts(db)


async def get_tariff(db: AsyncSession, tariff_id: int) -> Tariff:
    return found(await repository.get(db, tariff_id), f"tariff with id {tariff_id}")


async def create_tariff(db: AsyncSession, document: TariffIn) -> Tariff:
    check(document)
    tariff = Tariff()
    _assign(tariff, document)
    db.add(tariff)
    await db.flush()
    await db.refresh(tariff)
    log.info("tariffs.created", tariff_id=tariff.id)
    return tariff


async def replace_tariff(db: AsyncSession, tariff_id: int, document: TariffIn) -> Tariff:
    check(document)
    tariff = await get_tariff(db, tariff_id)
    _assign(tariff, document)
    await db.flush()
    await db.refresh(tariff)
    log.info("tariffs.replaced", tariff_id=tariff.id)
    return tariff


async def delete_tariff(db: AsyncSession, tariff_id: int) -> None:
    tariff = await get_tariff(db, tariff_id)
    used = await repository.count_sites_using(db, tariff_id)
    if used:
        raise ConflictError(f"tariff {tariff_id} is used by {used} site(s): assign another first")
    await db.delete(tariff)
    try:
        await db.flush()
    except IntegrityError as exc:
        if "tenants" not in str(exc.orig):
            raise
        raise ConflictError(
            f"tariff {tariff_id} is a tenant's own tariff: change the tenant's rule first"
        ) from exc
