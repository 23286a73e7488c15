"""Real receivers for alert deliveries: an SMTP server (aiosmtpd) and a webhook HTTP server.

- ``SmtpServer``: aiosmtpd on 127.0.0.1 and a free port, plain, STARTTLS or implicit TLS
  (a certificate from a throw-away CA, ``make_certificates``), optionally requiring AUTH;
  it keeps every message parsed (``email.policy.default``) with its envelope. ``wait_for``
  waits on a condition (no fixed sleeps); ``stop``/``start`` keep the port.
- ``smtp_server`` fixture: a plain server; ``make_smtp_server`` fixture: a factory for the
  others, all stopped after the test.
- ``WebhookReceiver``: a threaded HTTP(S) server on 127.0.0.1 recording requests (headers,
  raw body) and answering per path as told: status, redirects, huge or unsized bodies, or
  slowly (it holds the answer until the receiver is stopped).
- ``webhook_receiver`` fixture: a plain-HTTP receiver, stopped after the test.

The fixture functions are named ``*_fixture`` (the fixture names are given in the
decorator), so a module that imports them can take ``smtp_server`` as a parameter without
shadowing the import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import http.server
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from power_portal.alerts.mail import SmtpConfig
from power_portal.settings import SmtpSecurity

HOST = "127.0.0.1"
Security = Literal["none", "starttls", "tls"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# --- certificates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    """A throw-away CA and a server certificate it signed for ``localhost``, 127.0.0.1 and
    ::1 (PEM files). Clients trust ``ca_file``; servers use ``server_context()``."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(directory: Path) -> Certificates:
    """A CA and a server certificate signed by it, written to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("power-portal test CA"))
        .issuer_name(_name("power-portal test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    certificates = Certificates(
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.pem",
        key_file=directory / "server-key.pem",
    )
    certificates.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certificates.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    certificates.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificates


# --- SMTP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message the SMTP server accepted: parsed, with its envelope and login."""

    message: EmailMessage
    mail_from: str
    recipients: tuple[str, ...]
    login: str | None


class _Handler:
    """aiosmtpd handler: refuses the recipients in ``refused``, hands messages to ``keep``."""

    def __init__(self, keep: Callable[[Received], None], refused: frozenset[str]) -> None:
        self._keep = keep
        self._refused = refused
        self._count = 0

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self._refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data if isinstance(session.auth_data, str) else None
        self._count += 1
        self._keep(Received(message, envelope.mail_from or "", tuple(envelope.rcpt_tos), login))
        return f"250 2.0.0 Ok: queued as TEST{self._count:04d}"


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1 (see the module docstring)."""

    workdir: Path
    security: Security = "none"
    username: str | None = None
    password: str | None = None
    refused_recipients: frozenset[str] = frozenset()
    port: int = field(default_factory=_free_port)
    _controller: Controller | None = field(default=None, init=False, repr=False)
    _received: list[Received] = field(default_factory=list, init=False, repr=False)
    _condition: threading.Condition = field(
        default_factory=threading.Condition, init=False, repr=False
    )
    _certificates: Certificates | None = field(default=None, init=False, repr=False)

    host = HOST

    @property
    def certificates(self) -> Certificates:
        if self._certificates is None:
            self._certificates = make_certificates(self.workdir / "smtp-tls")
        return self._certificates

    @property
    def ca_file(self) -> str | None:
        """The CA to trust (``SmtpConfig.cert_bundle``); None for a plain server."""
        return None if self.security == "none" else str(self.certificates.ca_file)

    def _keep(self, received: Received) -> None:
        with self._condition:
            self._received.append(received)
            self._condition.notify_all()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == (self.username or "").encode()
            and data.password == (self.password or "").encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=self.username if ok else None)

    def start(self) -> None:
        """Listen (again) on ``port``."""
        assert self._controller is None, "already running"
        options: dict[str, Any] = {}
        if self.security == "starttls":
            options.update(tls_context=self.certificates.server_context(), require_starttls=True)
        if self.username is not None:
            options.update(
                authenticator=self._authenticate,
                auth_required=True,
                auth_require_tls=self.security == "starttls",
            )
        controller = Controller(
            _Handler(self._keep, self.refused_recipients),
            hostname=HOST,
            port=self.port,
            ssl_context=self.certificates.server_context() if self.security == "tls" else None,
            server_hostname="smtp.test",
            **options,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening; ``start()`` brings the server back on the same port."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self._condition:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """The messages once at least ``count`` arrived; fails after ``timeout`` seconds."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self._received) >= count, timeout):
                raise AssertionError(f"expected {count} messages, got {len(self._received)}")
            return list(self._received)

    def config(self, **overrides: Any) -> SmtpConfig:
        """An ``SmtpConfig`` for this server (its security, login and CA), with overrides."""
        values: dict[str, Any] = {
            "host": HOST,
            "port": self.port,
            "security": SmtpSecurity(self.security),
            "username": self.username,
            "password": self.password,
            "from_address": "alerts@portal.example",
            "from_name": "Power Portal Alerts",
            "timeout_seconds": 10.0,
            "cert_bundle": self.ca_file,
        }
        values.update(overrides)
        return SmtpConfig(**values)


@pytest.fixture(name="make_smtp_server")
def make_smtp_server_fixture(tmp_path: Path) -> Iterator[Callable[..., SmtpServer]]:
    """Factory: ``make_smtp_server(security="starttls", username="u", password="p")`` → a
    started server, stopped after the test."""
    made: list[SmtpServer] = []

    def make(**options: Any) -> SmtpServer:
        server = SmtpServer(tmp_path / f"smtp-{len(made)}", **options)
        server.start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(make_smtp_server: Callable[..., SmtpServer]) -> SmtpServer:
    """A started plain SMTP server (no TLS, no AUTH) on 127.0.0.1."""
    return make_smtp_server()


# --- webhooks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """How the receiver answers a path. ``sized``: send ``Content-Length`` (else the body
    ends when the connection closes); ``slow``: hold the answer until the receiver stops."""

    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    sized: bool = True
    slow: bool = False


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it arrived: ``headers`` with lower-case names, the raw body."""

    method: str
    path: str
    headers: dict[str, str]
    header_items: tuple[tuple[str, str], ...]
    body: bytes


class _ReceiverServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls_context: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = self.socket.accept()
        if self.tls_context is not None:
            # The handshake happens in the request's thread, on its first read.
            connection = self.tls_context.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (timeouts, refused certificates) are expected here."""


class WebhookReceiver:
    """A real HTTP(S) server on 127.0.0.1 recording requests (see the module docstring)."""

    host = HOST

    def __init__(self, certificates: Certificates | None = None) -> None:
        self.certificates = certificates
        self.replies: dict[str, Reply] = {}
        self._requests: list[ReceivedRequest] = []
        self._condition = threading.Condition()
        self._release = threading.Event()
        self._server = _ReceiverServer((HOST, 0), self._handler_class())
        if certificates is not None:
            self._server.tls_context = certificates.server_context()
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def scheme(self) -> str:
        return "https" if self.certificates else "http"

    def url(self, path: str = "/hook", host: str = HOST) -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def reply(self, path: str, reply: Reply) -> None:
        self.replies[path] = reply

    def redirect(self, path: str, location: str, status: int = 307) -> None:
        self.replies[path] = Reply(status=status, body=b"", headers=(("Location", location),))

    def redirect_chain(self, hops: int, end: str = "/hook", status: int = 307) -> str:
        """``hops`` redirects ending at ``end`` (relative ``Location``s); the first path."""
        for hop in range(1, hops + 1):
            self.redirect(f"/hop{hop}", f"/hop{hop - 1}" if hop > 1 else end, status)
        return f"/hop{hops}"

    def _record(self, request: ReceivedRequest) -> Reply:
        with self._condition:
            self._requests.append(request)
            self._condition.notify_all()
        return self.replies.get(request.path, Reply())

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                items = tuple((name, str(value)) for name, value in self.headers.items())
                reply = receiver._record(
                    ReceivedRequest(
                        method=self.command,
                        path=self.path,
                        headers={name.lower(): value for name, value in items},
                        header_items=items,
                        body=body,
                    )
                )
                if reply.slow:
                    receiver._release.wait(60)
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                if reply.sized:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_GET = do_PUT = _serve  # noqa: N815 - http.server's names

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._condition:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 20) -> list[ReceivedRequest]:
        """The requests once at least ``count`` arrived; fails after ``timeout`` seconds."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self._requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self._requests)}")
            return list(self._requests)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Release the slow answers, stop serving, close the socket."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        with contextlib.suppress(RuntimeError):
            self._thread.join(10)


@pytest.fixture(name="webhook_receiver")
def webhook_receiver_fixture() -> Iterator[WebhookReceiver]:
    """A started plain-HTTP webhook receiver on 127.0.0.1, stopped after the test."""
    receiver = WebhookReceiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
