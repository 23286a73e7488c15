"""Alert deliveries against real receivers: SMTP (aiosmtpd: plain, STARTTLS + AUTH, implicit
TLS, refusals, a server that is down) and webhooks (signature, redirects, refused addresses,
answer cap, timeout, TLS to the checked address). No database."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import astuple
from ipaddress import ip_network
from pathlib import Path

import pytest

from power_portal.alerts.mail import (
    Brand,
    Notice,
    SmtpAnswer,
    SmtpConfig,
    build_message,
    render_notice,
    send_message,
)
from power_portal.alerts.webhooks import (
    WebhookAnswer,
    WebhookPolicy,
    post_webhook,
    resolve_checked,
)
from tests.support.smtp import (  # noqa: F401 - the fixtures
    Reply,
    SmtpServer,
    WebhookReceiver,
    make_certificates,
    make_smtp_server_fixture,
    smtp_server_fixture,
    webhook_receiver_fixture,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
BRAND = Brand("Acme Energy", "#aa3300", "#0033aa", (PNG, "image/png"))
NOTICE = Notice(
    event="fired",
    severity="critical",
    rule_name="Main incomer demand",
    subject_name="Incomer",
    site_name="Centre",
    value=412.5,
    threshold=400.0,
    unit="kVA",
    message="30-minute demand 412.5 kVA above 400 kVA",
    at_local="2026-07-01 08:30",
    url="https://portal.example/alerts/12",
)
RECIPIENTS = ["ops@example.com", "boss@example.com"]
SMTP_PASSWORD = "smtp-Pa55word-never-shown"
SECRET = "whsec-never-in-a-detail"
LOOPBACK = (ip_network("127.0.0.1/32"),)


# --- e-mail -------------------------------------------------------------------------------


def _send(config: SmtpConfig, message_id: str = "alert-12-40-email-7") -> SmtpAnswer:
    subject, text, html = render_notice(NOTICE, BRAND)
    message = build_message(
        config,
        to=RECIPIENTS,
        subject=subject,
        text=text,
        html=html,
        brand=BRAND,
        message_id=message_id,
    )
    return asyncio.run(send_message(config, message))


def _assert_is_the_alert(server: SmtpServer) -> None:
    (received,) = server.wait_for(1)
    message = received.message
    assert received.recipients == tuple(RECIPIENTS)
    assert received.mail_from == "alerts@portal.example"
    assert message["Subject"] == "[critical] Main incomer demand: Incomer fired"
    assert message["From"].addresses[0].display_name == "Power Portal Alerts"
    assert message["Message-ID"] == "<alert-12-40-email-7@portal.example>"
    assert message["X-Portal-Delivery"] == "alert-12-40-email-7"
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert "412.5 kVA" in plain.get_content()
    assert "400 kVA" in plain.get_content()
    assert "Acme Energy" in rich.get_content()
    assert 'src="cid:brand-logo"' in rich.get_content()
    logo = next(part for part in message.walk() if part.get_content_type() == "image/png")
    assert logo["Content-ID"] == "<brand-logo>"
    assert logo.get_content() == PNG


def test_a_plain_smtp_server_gets_the_branded_mail(smtp_server: SmtpServer) -> None:
    ok, detail, permanent = astuple(_send(smtp_server.config()))
    assert ok, detail
    assert detail == "250 2.0.0 Ok: queued as TEST0001"
    assert not permanent
    _assert_is_the_alert(smtp_server)


def test_starttls_with_login(make_smtp_server: Callable[..., SmtpServer]) -> None:
    server = make_smtp_server(security="starttls", username="mailer", password=SMTP_PASSWORD)
    ok, detail, _ = astuple(_send(server.config()))
    assert ok, detail
    assert detail.startswith("250 ")
    _assert_is_the_alert(server)
    assert server.received[0].login == "mailer"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_with_login(make_smtp_server: Callable[..., SmtpServer]) -> None:
    server = make_smtp_server(security="tls", username="mailer", password=SMTP_PASSWORD)
    ok, detail, _ = astuple(_send(server.config()))
    assert ok, detail
    _assert_is_the_alert(server)
    assert server.received[0].login == "mailer"


def test_a_refused_login_is_permanent_and_never_shows_the_password(
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server(security="starttls", username="mailer", password=SMTP_PASSWORD)
    wrong = "wrong-Pa55word-not-shown"
    ok, detail, permanent = astuple(_send(server.config(password=wrong)))
    assert not ok
    assert permanent
    assert detail.startswith("login refused: 535"), detail
    assert wrong not in str(detail)
    assert SMTP_PASSWORD not in str(detail)
    assert server.received == []


def test_an_untrusted_certificate_fails_and_may_be_retried(
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server(security="starttls")
    ok, detail, permanent = astuple(_send(server.config(cert_bundle=None)))
    assert not ok
    assert not permanent
    assert "certificate" in str(detail).lower()
    assert server.received == []


def test_refused_recipients_are_permanent(make_smtp_server: Callable[..., SmtpServer]) -> None:
    server = make_smtp_server(refused_recipients=frozenset(RECIPIENTS))
    ok, detail, permanent = astuple(_send(server.config()))
    assert not ok
    assert permanent
    assert "550" in str(detail)
    assert "ops@example.com" in str(detail)


def test_one_refused_recipient_still_delivers(make_smtp_server: Callable[..., SmtpServer]) -> None:
    server = make_smtp_server(refused_recipients=frozenset({"boss@example.com"}))
    ok, detail, _ = astuple(_send(server.config()))
    assert ok
    assert "boss@example.com: 550" in str(detail)
    assert server.wait_for(1)[0].recipients == ("ops@example.com",)


def test_a_server_that_is_down_fails_for_now_and_works_when_back(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.stop()
    ok, detail, permanent = astuple(_send(smtp_server.config(timeout_seconds=5)))
    assert not ok
    assert not permanent
    assert detail
    smtp_server.start()
    ok, detail, _ = astuple(_send(smtp_server.config()))
    assert ok, detail
    _assert_is_the_alert(smtp_server)


# --- webhooks -----------------------------------------------------------------------------

BODY = json.dumps({"id": "alert-12-40-webhook-3", "event": "fired"}).encode()


def _policy(**overrides: object) -> WebhookPolicy:
    values: dict[str, object] = {"allowed": LOOPBACK, "production": False}
    values.update(overrides)
    return WebhookPolicy(**values)  # type: ignore[arg-type]


def _post(url: str, policy: WebhookPolicy | None = None, **kwargs: object) -> WebhookAnswer:
    return asyncio.run(
        post_webhook(
            url,
            BODY,
            secret=SECRET,
            delivery_key="alert-12-40-webhook-3",
            policy=policy or _policy(),
            **kwargs,  # type: ignore[arg-type]
        )
    )


def _expected_signature(timestamp: str, body: bytes) -> str:
    mac = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def test_a_webhook_is_signed_and_carries_its_headers(webhook_receiver: WebhookReceiver) -> None:
    before = int(time.time())
    answer = _post(webhook_receiver.url("/hook"))
    assert answer == WebhookAnswer(True, 200, '200 {"ok": true}')
    (request,) = webhook_receiver.wait_for(1)
    assert request.method == "POST"
    assert request.path == "/hook"
    assert request.body == BODY
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "power-portal"
    assert headers["x-portal-delivery"] == "alert-12-40-webhook-3"
    assert before <= int(headers["x-portal-timestamp"]) <= int(time.time())
    assert headers["x-portal-signature"] == _expected_signature(
        headers["x-portal-timestamp"], request.body
    )
    assert headers["host"] == f"127.0.0.1:{webhook_receiver.port}"


def test_a_given_timestamp_is_signed(webhook_receiver: WebhookReceiver) -> None:
    assert _post(webhook_receiver.url(), timestamp=1_780_000_000).ok
    (request,) = webhook_receiver.wait_for(1)
    assert request.headers["x-portal-timestamp"] == "1780000000"
    assert request.headers["x-portal-signature"] == _expected_signature("1780000000", BODY)


def test_a_host_name_is_sent_as_host_while_the_checked_address_is_dialled(
    webhook_receiver: WebhookReceiver,
) -> None:
    policy = _policy(allowed=(*LOOPBACK, ip_network("::1/128")))
    answer = _post(webhook_receiver.url("/hook", host="localhost"), policy)
    assert answer.ok, answer.detail
    (request,) = webhook_receiver.wait_for(1)
    hosts = [value for name, value in request.header_items if name.lower() == "host"]
    assert hosts == [f"localhost:{webhook_receiver.port}"]


def test_an_error_answer_is_a_failure_with_its_status_and_no_secret(
    webhook_receiver: WebhookReceiver,
) -> None:
    webhook_receiver.reply("/hook", Reply(status=500, body=f"boom {SECRET} ".encode() * 50))
    answer = _post(webhook_receiver.url("/hook"))
    assert not answer.ok
    assert not answer.refused
    assert answer.status == 500
    assert answer.detail.startswith("500 boom ***")
    assert SECRET not in answer.detail
    assert len(answer.detail) <= len("500 ") + 200


def test_three_redirects_are_followed_with_the_same_signed_body(
    webhook_receiver: WebhookReceiver,
) -> None:
    first = webhook_receiver.redirect_chain(3, end="/hook")
    webhook_receiver.redirect("/hop2", "/hop1", status=308)
    answer = _post(webhook_receiver.url(first))
    assert answer.ok, answer.detail
    requests = webhook_receiver.wait_for(4)
    assert [r.path for r in requests] == ["/hop3", "/hop2", "/hop1", "/hook"]
    for request in requests:
        assert request.method == "POST"
        assert request.body == BODY
        assert request.headers["x-portal-signature"] == _expected_signature(
            request.headers["x-portal-timestamp"], BODY
        )


def test_a_fourth_redirect_is_a_failure(webhook_receiver: WebhookReceiver) -> None:
    answer = _post(webhook_receiver.url(webhook_receiver.redirect_chain(4)))
    assert not answer.ok
    assert not answer.refused
    assert answer.status == 307
    assert "more than 3 redirects" in answer.detail
    assert [r.path for r in webhook_receiver.requests] == ["/hop4", "/hop3", "/hop2", "/hop1"]


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirect_that_would_drop_the_post_is_a_failure(
    webhook_receiver: WebhookReceiver, status: int
) -> None:
    webhook_receiver.redirect("/hook", "/elsewhere", status=status)
    answer = _post(webhook_receiver.url("/hook"))
    assert not answer.ok
    assert answer.status == status
    assert "not followed" in answer.detail
    assert [r.path for r in webhook_receiver.requests] == ["/hook"]


def test_a_redirect_to_an_address_outside_the_allowed_range_is_refused(
    webhook_receiver: WebhookReceiver,
) -> None:
    webhook_receiver.redirect("/hook", f"http://127.0.0.2:{webhook_receiver.port}/inside")
    answer = _post(webhook_receiver.url("/hook"))
    assert not answer.ok
    assert answer.refused
    assert "127.0.0.2" in answer.detail
    assert "loopback" in answer.detail
    assert [r.path for r in webhook_receiver.requests] == ["/hook"]


def test_localhost_without_an_allow_list_is_refused(webhook_receiver: WebhookReceiver) -> None:
    answer = _post(webhook_receiver.url("/hook", host="localhost"), _policy(allowed=()))
    assert not answer.ok
    assert answer.refused
    assert answer.status is None
    assert "loopback" in answer.detail
    assert webhook_receiver.requests == []  # the POST returned: nothing was sent


def test_resolution_checks_every_address(webhook_receiver: WebhookReceiver) -> None:
    policy = _policy(allowed=(*LOOPBACK, ip_network("::1/128")))
    url = webhook_receiver.url("/x#frag", host="localhost")
    target = asyncio.run(resolve_checked(url, policy))
    assert target.host == "localhost"
    assert target.url == f"http://localhost:{webhook_receiver.port}/x"
    assert all(address.is_loopback for address in target.addresses)


def _fake_dns(monkeypatch: pytest.MonkeyPatch, name: str, addresses: list[str]) -> list[str]:
    """``name`` resolves to ``addresses`` (other names as usual); the names looked up."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        asked.append(str(host))
        if host != name:
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_is_resolved_once_and_the_next_address_tried_when_one_refuses(
    webhook_receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _fake_dns(monkeypatch, "hooks.test", ["127.0.0.2", "127.0.0.1"])  # .2: nobody
    policy = _policy(allowed=(ip_network("127.0.0.0/8"),))
    answer = _post(webhook_receiver.url("/hook", host="hooks.test"), policy)
    assert answer.ok, answer.detail
    assert asked == ["hooks.test"]  # httpx dialled the checked addresses, resolving nothing
    (request,) = webhook_receiver.wait_for(1)
    assert request.headers["host"] == f"hooks.test:{webhook_receiver.port}"


def test_a_name_with_any_refused_address_is_refused(
    webhook_receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dns(monkeypatch, "hooks.test", ["127.0.0.1", "169.254.169.254"])
    answer = _post(webhook_receiver.url("/hook", host="hooks.test"))
    assert answer.refused
    assert "169.254.169.254" in answer.detail
    assert "link-local" in answer.detail
    assert webhook_receiver.requests == []


def test_a_name_that_does_not_resolve_is_a_failure_to_retry(
    webhook_receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    def getaddrinfo(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    answer = _post(f"http://hooks.test:{webhook_receiver.port}/hook")
    assert answer == WebhookAnswer(
        False, None, "cannot resolve hooks.test: Name or service not known"
    )


def test_http_is_refused_in_production(webhook_receiver: WebhookReceiver) -> None:
    answer = _post(webhook_receiver.url("/hook"), _policy(production=True))
    assert answer.refused
    assert "https" in answer.detail
    assert webhook_receiver.requests == []


@pytest.mark.parametrize("sized", [True, False], ids=["content-length", "streamed"])
def test_an_answer_over_the_cap_is_a_failure(
    webhook_receiver: WebhookReceiver, sized: bool
) -> None:
    webhook_receiver.reply("/hook", Reply(body=b"x" * 100_000, sized=sized))
    answer = _post(webhook_receiver.url("/hook"))
    assert not answer.ok
    assert not answer.refused
    assert answer.status == 200
    assert answer.detail == "200: answer larger than 64 kB"


def test_a_slow_receiver_is_a_failure_within_the_timeout(
    webhook_receiver: WebhookReceiver,
) -> None:
    webhook_receiver.reply("/hook", Reply(slow=True))  # answers only when the receiver stops
    started = time.monotonic()
    answer = _post(webhook_receiver.url("/hook"), _policy(timeout_seconds=0.5))
    elapsed = time.monotonic() - started
    assert not answer.ok
    assert not answer.refused
    assert answer.detail == "no answer within 0.5 s"
    assert elapsed < 5
    assert len(webhook_receiver.requests) == 1


def test_a_receiver_that_is_down_is_a_failure_to_retry(webhook_receiver: WebhookReceiver) -> None:
    url = webhook_receiver.url("/hook")
    webhook_receiver.stop()
    answer = _post(url)
    assert not answer.ok
    assert not answer.refused
    assert answer.status is None


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(make_certificates(tmp_path / "webhook-tls"))
    receiver.start()
    yield receiver
    receiver.stop()


def test_https_verifies_the_host_name_while_dialling_the_checked_address(
    tls_receiver: WebhookReceiver,
) -> None:
    assert tls_receiver.certificates is not None
    policy = _policy(
        allowed=(*LOOPBACK, ip_network("::1/128")),
        production=True,
        tls_context=tls_receiver.certificates.client_context(),
    )
    answer = _post(tls_receiver.url("/hook", host="localhost"), policy)
    assert answer.ok, answer.detail
    (request,) = tls_receiver.wait_for(1)
    assert request.headers["host"] == f"localhost:{tls_receiver.port}"
    assert request.headers["x-portal-signature"] == _expected_signature(
        request.headers["x-portal-timestamp"], BODY
    )


def test_https_to_an_untrusted_certificate_fails(tls_receiver: WebhookReceiver) -> None:
    policy = _policy(tls_context=ssl.create_default_context())
    answer = _post(tls_receiver.url("/hook"), policy)
    assert not answer.ok
    assert not answer.refused
    assert "certificate" in answer.detail.lower()
    assert tls_receiver.requests == []
