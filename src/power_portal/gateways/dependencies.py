"""Route dependencies: this process's bridge (when it runs here) and what routes need of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from power_portal.gateways.bridge import GatewayBridge
from power_portal.gateways.state import Snapshot


def get_bridge(request: Request) -> GatewayBridge | None:
    bridge: GatewayBridge | None = getattr(request.app.state, "mqtt_bridge", None)
    return bridge


BridgeDep = Annotated[GatewayBridge | None, Depends(get_bridge)]


def live_snapshot(bridge: BridgeDep) -> Snapshot | None:
    """The bridge's counters when this process leads it; else None (the saved ones count)."""
    return None if bridge is None else bridge.live_snapshot()


LiveSnapshot = Annotated[Snapshot | None, Depends(live_snapshot)]


async def devices_changed_after(bridge: BridgeDep) -> AsyncIterator[None]:
    """After a successful request (its commit, so the device can be seen): tell this process's
    bridge to reload the serial → device map at once."""
    yield
    if bridge is not None:
        bridge.devices_changed()
