"""Schemathesis against the live ``/openapi.json``, signed in as an admin.

Every operation of the document is fuzzed (positive and negative examples) over
real HTTP, in standalone mode and, for the fleet routes, in admin mode. Checks:
no 500 anywhere (``not_a_server_error``), every status code documented
(``status_code_conformance``) and every body matching its documented schema
(``response_schema_conformance``). Nothing is excluded:

- ``POST /api/auth/login`` is fuzzed without the session cookie (a login ends
  the session it arrives with: no session fixation);
- ``POST /api/auth/logout`` and ``/logout-all`` end the session they are sent
  with: each example signs in a throwaway user first;
- the token-authenticated ingest routes get a real device / customer token, so
  the fuzzer reaches their parsers instead of stopping at 401;
- the fuzzing admin's own account is kept out of ``/api/users/{user_id}``
  (resetting its password or deactivating it would end the run's session);
- besides random ids, half the examples of an operation with path parameters
  use ids that exist (a site with a tariff, a device with readings, a token, a
  user, a customer), so success paths are fuzzed too; deletions run last.

The last tests pin the bugs the fuzzer found, so they stay fixed without it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import URL

from power_portal.logging import configure_logging
from power_portal.settings import Settings
from tests.support.database import url_string
from tests.support.hardening import scaled
from tests.support.portal import ADMIN_PASSWORD, USER_PASSWORD, Credentials, LiveServer
from tests.support.tariffs import flat_tariff

EXAMPLES = scaled(10, 100)  # per operation
# Per example (request and checks): a request this slow is a finding in itself.
DEADLINE = timedelta(seconds=10)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
ANONYMOUS = {("POST", "/api/auth/login")}
FRESH_SESSION = {("POST", "/api/auth/logout"), ("POST", "/api/auth/logout-all")}
DEVICE_TOKEN_OP = ("POST", "/api/ingest/measurements")
CUSTOMER_TOKEN_OP = ("POST", "/api/fleet/ingest")
# Operations that cannot be fuzzed safely, with the reason. None so far.
EXCLUDED: dict[tuple[str, str], str] = {}


# A flat tariff with a fixed charge, so the fuzzed bills have every kind of line.
FLAT_TARIFF: dict[str, Any] = flat_tariff(1.5) | {
    "versions": [
        flat_tariff(1.5)["versions"][0]
        | {"fixed_charges": [{"name": "Service", "amount": 10, "per": "day"}]}
    ]
}


def signed_in(base_url: str, email: str, password: str) -> requests.Session:
    """A requests session (schemathesis' transport) signed in, sending the CSRF header."""
    session = requests.Session()
    response = session.post(
        f"{base_url}/api/auth/login", json={"email": email, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    session.headers["X-CSRF-Token"] = str(session.cookies["portal_csrf"])
    return session


@dataclass
class FuzzRun:
    """What one fuzzing pass did, and what it found."""

    operations: list[str] = field(default_factory=list)
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Fuzzer:
    base_url: str
    fuzzer: Credentials  # the admin the run signs in as
    leaver: Credentials  # signs in afresh for each logout example

    known: dict[str, Any] = field(default_factory=dict)  # path parameter -> an id that exists

    def __post_init__(self) -> None:
        self.session = signed_in(self.base_url, self.fuzzer.email, self.fuzzer.password)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.session.post(f"{self.base_url}{path}", json=body, timeout=30)
        assert response.status_code == 201, (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    def _device(self, tariff_id: int | None = None) -> tuple[int, int, int, str]:
        """A new site (with the tariff) and device: site id, device id, token id, token."""
        site = self._post(
            "/api/sites", {"name": "Fuzz site", "timezone": "UTC", "tariff_id": tariff_id}
        )
        device = self._post(
            f"/api/sites/{site['id']}/devices",
            {"name": "Fuzz meter", "serial": f"FUZZ-{secrets.token_hex(4)}"},
        )
        token = self._post(f"/api/devices/{device['id']}/tokens", {})
        return site["id"], device["id"], token["id"], token["token"]

    def _device_token(self) -> str:
        return self._device()[3]

    def make_known_objects(self, other_user_id: int, *, fleet: bool = False) -> None:
        tariff = self._post("/api/tariffs", FLAT_TARIFF)
        site_id, device_id, token_id, token = self._device(tariff["id"])
        rows = [
            {
                "time": f"2026-05-0{day}T{hour:02d}:00:00Z",
                "power_kw": 10.0 + hour,
                "energy_import_kwh": 1000.0 + 24 * day + hour,
            }
            for day in (1, 2)
            for hour in range(24)
        ]
        stored = httpx.post(
            f"{self.base_url}/api/ingest/measurements",
            json={"measurements": rows},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert stored.status_code == 200, stored.text
        self.known = {
            "site_id": site_id,
            "device_id": device_id,
            "token_id": token_id,
            "tariff_id": tariff["id"],
            "user_id": other_user_id,
        }
        if fleet:
            self.known["code"] = "known-customer"
            self._post("/api/fleet/customers", {"code": "known-customer", "name": "Known"})

    def _customer_token(self) -> str:
        code = f"fuzz-{secrets.token_hex(3)}"
        created = self.session.post(
            f"{self.base_url}/api/fleet/customers",
            json={"code": code, "name": "Fuzz customer"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        return str(created.json()["token"])

    def _prepare(self, key: tuple[str, str]) -> Callable[[Case[Any]], tuple[Any, dict[str, str]]]:
        """How to send this operation's examples: (session or None, extra headers)."""
        if key in ANONYMOUS:
            return lambda _case: (None, {})
        if key in FRESH_SESSION:
            return lambda _case: (
                signed_in(self.base_url, self.leaver.email, self.leaver.password),
                {},
            )
        if key == DEVICE_TOKEN_OP:
            bearer = {"Authorization": f"Bearer {self._device_token()}"}
            return lambda _case: (self.session, bearer)
        if key == CUSTOMER_TOKEN_OP:
            customer = {"X-Customer-Token": self._customer_token()}
            return lambda _case: (self.session, customer)
        return lambda _case: (self.session, {})

    def run(self, include: Callable[[str], bool]) -> FuzzRun:
        started = time.monotonic()
        document = httpx.get(f"{self.base_url}/openapi.json", timeout=30).json()
        schema = schemathesis.openapi.from_dict(document)
        result = FuzzRun()
        operations: list[tuple[Any, tuple[str, str]]] = []
        for loaded in schema.get_all_operations():
            assert isinstance(loaded, Ok), loaded  # the document itself is valid
            operation = loaded.ok()
            key = (operation.method.upper(), operation.path)
            if not include(operation.path) or key in EXCLUDED:
                continue
            result.operations.append(operation.label)
            operations.append((operation, key))
        # deletions last, so the other operations still find the objects that exist
        for operation, key in sorted(operations, key=lambda op: op[1][0] == "DELETE"):
            self._fuzz(operation, key, result)
            me = self.session.get(f"{self.base_url}/api/auth/me", timeout=30)
            assert me.status_code == 200, f"{operation.label} ended the fuzzing session"
        result.seconds = time.monotonic() - started
        return result

    def _fuzz(self, operation: Any, key: tuple[str, str], result: FuzzRun) -> None:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
        names = {parameter.name for parameter in operation.path_parameters}
        if names and names <= self.known.keys():
            existing = {name: self.known[name] for name in names}
            strategy = st.one_of(
                strategy, operation.as_strategy(GenerationMode.POSITIVE, path_parameters=existing)
            )
        if operation.path.startswith("/api/users/{user_id}"):
            own_id = str(self.fuzzer.id)
            strategy = strategy.filter(
                lambda case: str((case.path_parameters or {}).get("user_id")) != own_id
            )
        prepare = self._prepare(key)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=DEADLINE,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the curl says enough
            database=None,
        )
        def one_example(case: Case[Any]) -> None:
            session, headers = prepare(case)
            response = case.call(
                base_url=self.base_url, session=session, headers=headers, timeout=30
            )
            result.examples += 1
            result.statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            one_example()
        except (Exception, BaseExceptionGroup) as exc:  # a FailureGroup is a BaseExceptionGroup
            result.failures.append((operation.label, str(exc)[:3000]))


def report(run: FuzzRun) -> str:
    return "\n\n".join(f"===== {label}\n{text}" for label, text in run.failures)


def make_users(base_url: str) -> tuple[Credentials, Credentials, Credentials]:
    """The fuzzing admin, the throwaway user for logouts, and one more for /api/users/{id}."""
    admin = signed_in(base_url, "admin@localhost", ADMIN_PASSWORD)
    made = []
    for email, role in (
        ("fuzzer@example.com", "admin"),
        ("leaver@example.com", "viewer"),
        ("other@example.com", "viewer"),
    ):
        created = admin.post(
            f"{base_url}/api/users",
            json={"email": email, "name": email, "password": USER_PASSWORD, "role": role},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        made.append(Credentials(created.json()["id"], email, USER_PASSWORD, role))
    return made[0], made[1], made[2]


def test_every_operation_fuzzed_without_a_500_or_an_undocumented_answer(
    live_server: LiveServer, hardening_report: Callable[..., None]
) -> None:
    fuzzer_user, leaver, other = make_users(live_server.url)
    fuzzer = Fuzzer(live_server.url, fuzzer_user, leaver)
    fuzzer.make_known_objects(other.id)
    run = fuzzer.run(lambda path: True)
    hardening_report(
        mode="standalone",
        operations=len(run.operations),
        examples=run.examples,
        answers_2xx=sum(n for status, n in run.statuses.items() if status < 300),
        server_errors=run.statuses[500],
        excluded=len(EXCLUDED),
        seconds=run.seconds,
    )
    assert not run.failures, report(run)
    assert len(run.operations) >= 50
    assert run.examples >= len(run.operations)


@pytest.fixture
def admin_mode_server(db_url: URL, tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=url_string(db_url),
        data_dir=tmp_path / "admin-data",
        run_mode="admin",
        admin_password=ADMIN_PASSWORD,
    )
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


def test_fleet_operations_fuzzed_in_admin_mode(
    admin_mode_server: LiveServer, hardening_report: Callable[..., None]
) -> None:
    base = admin_mode_server.url
    fuzzer_user, leaver, other = make_users(base)
    fuzzer = Fuzzer(base, fuzzer_user, leaver)
    fuzzer.make_known_objects(other.id, fleet=True)
    run = fuzzer.run(lambda path: path.startswith("/api/fleet"))
    hardening_report(
        mode="admin",
        operations=len(run.operations),
        examples=run.examples,
        answers_2xx=sum(n for status, n in run.statuses.items() if status < 300),
        server_errors=run.statuses[500],
        seconds=run.seconds,
    )
    assert not run.failures, report(run)
    assert len(run.operations) >= 10


# ---------------------------------------------------------------- what the fuzzer found


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/{n}",
        "/api/sites/{n}",
        "/api/sites/{n}/devices",
        "/api/devices/{n}",
        "/api/devices/{n}/latest",
        "/api/devices/{n}/health",
        "/api/tariffs/{n}",
        "/api/sites/{n}/costs/month",
    ],
)
def test_an_id_beyond_bigint_is_422_not_500(admin_client: httpx.Client, path: str) -> None:
    for number in (2**63, 10**30):
        response = admin_client.get(path.format(n=number))
        assert response.status_code == 422, (path, response.text)
        assert "less than or equal to 9223372036854775807" in response.json()["detail"][0]["msg"]
    assert admin_client.get(path.format(n=2**63 - 1)).status_code == 404


def test_an_id_beyond_bigint_in_a_body_is_422_naming_it(admin_client: httpx.Client) -> None:
    response = admin_client.post(
        "/api/sites", json={"name": "S", "timezone": "UTC", "tariff_id": 10**30}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "tariff_id"]
    assert admin_client.get("/api/sites").json() == []


def test_every_operation_with_a_body_documents_the_unreadable_body_400(
    admin_client: httpx.Client,
) -> None:
    """FastAPI answers 400 for a body it cannot decode (not UTF-8): now documented."""
    document = admin_client.get("/openapi.json").json()
    with_body = [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 15
    for method, path in with_body:
        assert "400" in document["paths"][path][method]["responses"], (method, path)
    response = admin_client.post(
        "/api/sites", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}


def test_a_logged_traceback_is_plain_quick_and_shows_no_local_variables(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A 500's traceback used to be rendered by Rich with every local variable: the
    session cookie and CSRF token in the log, and 6-20 s per error with the event
    loop stopped (the fuzzer's requests timed out behind it)."""
    configure_logging(Settings(data_dir=tmp_path))
    cookie = secrets.token_urlsafe(16)

    def fail(session_cookie: str) -> None:
        raise RuntimeError(f"boom {len(session_cookie)}")

    started = time.perf_counter()
    try:
        fail(cookie)
    except RuntimeError:
        logging.getLogger("power_portal.test").exception("request failed")
    took = time.perf_counter() - started
    logged = capsys.readouterr().err
    assert "RuntimeError: boom 22" in logged
    assert cookie not in logged
    assert took < 0.5, took
