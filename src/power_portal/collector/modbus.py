"""Reading one Acuvim II over Modbus TCP or RTU (pymodbus's async clients).

Meters behind the same endpoint (an RS-485 bus on one serial port, or a
Modbus TCP gateway in front of one) share one ``ModbusLink``: one
connection, and one reading at a time on it, as the bus requires.

Every failure becomes a ``MeterReadError`` whose message names the meter,
the endpoint and, where it applies, the register block: connection refused,
no answer (timeout; on RTU also a frame with a bad CRC, which the framer
discards), a Modbus exception code, a short answer. Whether the failure
also closes the connection is ``decisions.drops_connection``'s call.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn, TypedDict

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.client.base import ModbusBaseClient
from pymodbus.exceptions import ConnectionException, ModbusException
from pymodbus.framer import FramerType

from power_portal.collector.config import CollectorConfig, RtuMeter, TcpMeter
from power_portal.collector.decisions import FailureKind, drops_connection
from power_portal.collector.registers import READ_BLOCKS, DecodedReading, decode_reading

EXCEPTION_CODES: dict[int, str] = {
    0x01: "illegal function",
    0x02: "illegal data address",
    0x03: "illegal data value",
    0x04: "server device failure",
    0x05: "acknowledge (busy with a long command)",
    0x06: "server device busy",
    0x08: "memory parity error",
    0x0A: "gateway path unavailable",
    0x0B: "gateway target device failed to respond",
}


def quiet_libraries() -> None:
    """pymodbus logs every timeout with a frame dump, httpx every request; the collector
    reports failures itself and sums the traffic up in its status lines."""
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    logging.getLogger("httpx").setLevel(logging.WARNING)


class MeterReadError(Exception):
    def __init__(self, meter: str, kind: FailureKind, message: str) -> None:
        super().__init__(f"meter {meter!r}: {message}")
        self.meter = meter
        self.kind = kind
        self.detail = message


@dataclass(frozen=True)
class Reading:
    meter: str
    taken_at: datetime  # aware, UTC
    decoded: DecodedReading


def _block_name(address: int, count: int) -> str:
    return f"0x{address:04X}-0x{address + count - 1:04X}"


class ModbusLink:
    """One connection (a TCP endpoint or a serial port) and the lock that serialises it."""

    def __init__(
        self, key: str, client: ModbusBaseClient, timeout_seconds: float, retries: int
    ) -> None:
        self.key = key
        self.client = client
        self.is_serial = key.startswith("rtu://")
        # pymodbus waits timeout_seconds per try; this bounds the whole request
        self.request_deadline_seconds = timeout_seconds * (retries + 1) + 1
        self.lock = asyncio.Lock()

    async def _ensure_connected(self, meter: str) -> None:
        if self.client.connected:
            return
        if not await self.client.connect():
            raise MeterReadError(
                meter,
                FailureKind.UNREACHABLE,
                f"cannot connect to {self.key} (refused, unreachable or no such port)",
            )

    async def read_block(self, meter: str, unit_id: int, address: int, count: int) -> list[int]:
        block = _block_name(address, count)
        try:
            async with asyncio.timeout(self.request_deadline_seconds):
                response = await self.client.read_holding_registers(
                    address, count=count, device_id=unit_id
                )
        except ConnectionException as exc:
            self._failed(
                meter, FailureKind.UNREACHABLE, f"connection to {self.key} lost: {exc}", exc
            )
        except (ModbusException, TimeoutError) as exc:
            self._failed(
                meter,
                FailureKind.NO_ANSWER,
                f"no valid answer from unit {unit_id} on {self.key} reading registers {block} "
                f"(timeout{', or bad CRC' if self.is_serial else ''}): {exc}",
                exc,
            )
        if response.isError():
            code = int(getattr(response, "exception_code", 0))
            meaning = EXCEPTION_CODES.get(code, "unknown exception code")
            self._failed(
                meter,
                FailureKind.EXCEPTION,
                f"unit {unit_id} on {self.key} answered registers {block} with Modbus "
                f"exception {code:#04x} ({meaning})",
            )
        registers = list(response.registers)
        if len(registers) != count:
            self._failed(
                meter,
                FailureKind.BAD_ANSWER,
                f"unit {unit_id} on {self.key} returned {len(registers)} registers for "
                f"{block}, expected {count}",
            )
        return registers

    def _failed(
        self, meter: str, kind: FailureKind, message: str, cause: Exception | None = None
    ) -> NoReturn:
        """Raise the failure; first close the link where ``drops_connection`` says so."""
        if drops_connection(kind, serial=self.is_serial):
            self.client.close()
        raise MeterReadError(meter, kind, message) from cause

    async def read_meter(self, meter: str, unit_id: int, now: datetime) -> Reading:
        """Both blocks of one meter, back to back on this link."""
        async with self.lock:
            await self._ensure_connected(meter)
            realtime_start, realtime_count = READ_BLOCKS[0]
            energy_start, energy_count = READ_BLOCKS[1]
            realtime = await self.read_block(meter, unit_id, realtime_start, realtime_count)
            energy = await self.read_block(meter, unit_id, energy_start, energy_count)
        return Reading(meter, now, decode_reading(realtime, energy))

    def close(self) -> None:
        self.client.close()


class _ClientOptions(TypedDict):
    name: str
    timeout: float
    retries: int
    reconnect_delay: float


def make_client(meter: TcpMeter | RtuMeter, config: CollectorConfig) -> ModbusBaseClient:
    """The pymodbus client for a meter's endpoint; reconnection is ours (reconnect_delay=0)."""
    options = _ClientOptions(
        name=meter.link_key,
        timeout=config.modbus_timeout_seconds,
        retries=config.modbus_retries,
        reconnect_delay=0,
    )
    if isinstance(meter, TcpMeter):
        return AsyncModbusTcpClient(meter.host, port=meter.port, **options)
    return AsyncModbusSerialClient(
        meter.serial_port,
        framer=FramerType.RTU,
        baudrate=meter.baudrate,
        parity=meter.parity,
        stopbits=meter.stopbits,
        bytesize=meter.bytesize,
        **options,
    )


def make_links(config: CollectorConfig) -> dict[str, ModbusLink]:
    """One link per endpoint, keyed by ``link_key``."""
    links: dict[str, ModbusLink] = {}
    for meter in config.meters:
        if meter.link_key not in links:
            links[meter.link_key] = ModbusLink(
                meter.link_key,
                make_client(meter, config),
                config.modbus_timeout_seconds,
                config.modbus_retries,
            )
    return links
