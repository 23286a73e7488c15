from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from power_portal.auth.dependencies import AUTH_RESPONSES, ViewerUser
from power_portal.core.deps import SessionDep
from power_portal.fleet.models import PushState
from power_portal.fleet.schemas import PushStateRead

router = APIRouter(prefix="/api/fleet", tags=["fleet"], responses=AUTH_RESPONSES)


@router.get(
    "/push-state",
    response_model=list[PushStateRead],
    operation_id="pushState",
    summary="Client mode: where the push to the admin stack stands, per resource",
)
async def push_state(_: ViewerUser, db: SessionDep) -> list[PushStateRead]:
    rows = await db.execute(select(PushState).order_by(PushState.resource))
    return [PushStateRead.model_validate(row) for row in rows.scalars()]
