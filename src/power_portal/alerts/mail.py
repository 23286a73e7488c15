"""Branded alert e-mail over SMTP (docs/api/alerts.md, "E-mail").

- ``Brand`` and ``Notice``: what a mail shows (the customer's brand; one alert event);
- ``alert_subject``/``render_notice``: the subject, the plain text and the HTML (jinja2 with
  autoescape; the logo inline by ``cid:``), pure;
- ``SmtpConfig`` (``smtp_config_from_settings`` reads ``PORTAL_SMTP__*``), ``build_message``:
  the MIME message (multipart/alternative: text, and HTML in multipart/related with the
  logo) with ``Message-ID: <{delivery key}@{sender's domain}>`` so receivers drop repeats;
- ``send_message``: one SMTP delivery (implicit TLS, STARTTLS or none; login when a user
  name is set) → ``SmtpAnswer`` with the server's final answer or the error, never the
  password. ``permanent``: the server refused for good (a 5xx answer to AUTH, MAIL, every
  RCPT or DATA), so retrying will not help.
"""

from __future__ import annotations

import email.utils
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Literal

import aiosmtplib
from jinja2 import Environment

from power_portal.settings import SmtpSecurity, SmtpSettings

DEFAULT_PRODUCT_NAME = "Power Portal"
DEFAULT_PRIMARY_COLOR = "#1677ff"
DEFAULT_SECONDARY_COLOR = "#13c2c2"
LOGO_CID = "brand-logo"
SEVERITY_COLORS = {"critical": "#cf1322", "warning": "#d46b08", "info": "#0958d9"}
HEADLINES = {"fired": "Alert fired", "resolved": "Alert resolved", "test": "Test message"}
_COLOR = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")

NoticeEvent = Literal["fired", "resolved", "test"]


@dataclass(frozen=True)
class Brand:
    """The customer's brand in a mail; ``logo``: (content, MIME type such as ``image/png``)."""

    product_name: str
    primary_color: str
    secondary_color: str
    logo: tuple[bytes, str] | None


@dataclass(frozen=True)
class Attachment:
    """A file a mail carries (a report's PDF or workbook)."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Notice:
    """One alert event as a mail tells it. ``at_local``: the time, already in site time and
    formatted; ``url``: the alert's page (no link when None); ``extra_lines``: more facts,
    e.g. the cost of a new peak."""

    event: NoticeEvent
    severity: str
    rule_name: str
    subject_name: str
    site_name: str | None
    value: float | None
    threshold: float | None
    unit: str | None
    message: str
    at_local: str
    url: str | None
    extra_lines: tuple[str, ...] = ()


def _one_line(text: str) -> str:
    """``text`` with every run of white space (newlines too) as one space: safe in a header."""
    return " ".join(text.split())


def alert_subject(notice: Notice, product_name: str = DEFAULT_PRODUCT_NAME) -> str:
    """``[critical] Main incomer demand: Incomer fired``; ``[Product] test message`` for tests."""
    if notice.event == "test":
        return _one_line(f"[{product_name}] test message")
    return _one_line(
        f"[{notice.severity}] {notice.rule_name}: {notice.subject_name} {notice.event}"
    )


def format_number(value: float) -> str:
    """``412.5``, ``400``, ``0.25``: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _quantity(value: float | None, unit: str | None) -> str | None:
    if value is None:
        return None
    return f"{format_number(value)} {unit}" if unit else format_number(value)


def notice_facts(notice: Notice) -> list[tuple[str, str]]:
    """The labelled facts both parts show, in order (absent ones left out)."""
    facts: list[tuple[str, str | None]] = [
        ("Rule", notice.rule_name if notice.event != "test" else None),
        ("Subject", notice.subject_name if notice.event != "test" else None),
        ("Site", notice.site_name),
        ("Severity", notice.severity if notice.event != "test" else None),
        ("Value", _quantity(notice.value, notice.unit)),
        ("Threshold", _quantity(notice.threshold, notice.unit)),
        ("Time", notice.at_local),
    ]
    return [(label, value) for label, value in facts if value]


def _safe_color(color: str, default: str) -> str:
    return color if _COLOR.fullmatch(color) else default


def _safe_link(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _headline(notice: Notice) -> str:
    """``Alert fired · critical``; ``Test message``."""
    if notice.event == "test":
        return HEADLINES["test"]
    return f"{HEADLINES[notice.event]} · {notice.severity}"


def _heading(notice: Notice) -> str:
    if notice.event == "test":
        return "E-mail delivery works"
    return f"{notice.rule_name}: {notice.subject_name}"


HTML_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body style="margin:0;padding:0;background:#f5f5f5;\
font-family:Arial,Helvetica,sans-serif;color:#1f1f1f;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="background:#f5f5f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" \
style="max-width:600px;width:100%;background:#ffffff;border-radius:6px;">
<tr><td style="background:{{ primary }};padding:16px 24px;color:#ffffff;\
font-size:18px;font-weight:bold;border-radius:6px 6px 0 0;">
{% if logo_cid %}<img src="cid:{{ logo_cid }}" alt="" height="32" \
style="height:32px;vertical-align:middle;margin-right:12px;border:0;">{% endif %}
<span style="vertical-align:middle;">{{ product_name }}</span>
</td></tr>
<tr><td style="padding:24px;">
<p style="margin:0 0 4px;font-size:13px;font-weight:bold;text-transform:uppercase;\
letter-spacing:1px;color:{{ severity_color }};">{{ headline }}</p>
<h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;">{{ heading }}</h1>
<p style="margin:0 0 16px;font-size:15px;line-height:1.5;">{{ message }}</p>
<table role="presentation" cellpadding="0" cellspacing="0" \
style="width:100%;border-collapse:collapse;font-size:14px;">
{% for label, value in facts %}<tr>
<td style="padding:6px 12px 6px 0;color:#595959;width:35%;border-top:1px solid #f0f0f0;">\
{{ label }}</td>
<td style="padding:6px 0;border-top:1px solid #f0f0f0;">{{ value }}</td>
</tr>
{% endfor %}</table>
{% for line in extra_lines %}<p style="margin:12px 0 0;font-size:14px;">{{ line }}</p>
{% endfor %}
{% if url %}<p style="margin:24px 0 0;"><a href="{{ url }}" style="display:inline-block;\
background:{{ primary }};color:#ffffff;text-decoration:none;padding:10px 18px;\
border-radius:4px;font-weight:bold;">Open the alert</a></p>
{% endif %}
</td></tr>
<tr><td style="padding:12px 24px;font-size:12px;color:#8c8c8c;\
border-top:3px solid {{ secondary }};">Sent by {{ product_name }}.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""

_HTML = Environment(autoescape=True, keep_trailing_newline=True).from_string(HTML_TEMPLATE)


def _plain_text(notice: Notice, brand: Brand, url: str | None) -> str:
    lines = [brand.product_name, "", _headline(notice), _heading(notice), "", notice.message, ""]
    width = max((len(label) for label, _ in notice_facts(notice)), default=0)
    lines += [f"{label + ':':<{width + 1}} {value}" for label, value in notice_facts(notice)]
    if notice.extra_lines:
        lines += ["", *notice.extra_lines]
    if url:
        lines += ["", f"Open the alert: {url}"]
    lines += ["", "--", f"Sent by {brand.product_name}."]
    return "\n".join(lines) + "\n"


def render_notice(notice: Notice, brand: Brand) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of ``notice`` in ``brand``; names are escaped in the HTML,
    colours that are not ``#rgb``/``#rrggbb`` fall back to the defaults, and only an
    http(s) URL becomes a link."""
    subject = alert_subject(notice, brand.product_name)
    url = _safe_link(notice.url)
    html = _HTML.render(
        subject=subject,
        product_name=brand.product_name,
        primary=_safe_color(brand.primary_color, DEFAULT_PRIMARY_COLOR),
        secondary=_safe_color(brand.secondary_color, DEFAULT_SECONDARY_COLOR),
        severity_color=SEVERITY_COLORS.get(notice.severity, "#595959"),
        logo_cid=LOGO_CID if brand.logo else None,
        headline=_headline(notice),
        heading=_heading(notice),
        message=notice.message,
        facts=notice_facts(notice),
        extra_lines=notice.extra_lines,
        url=url,
    )
    return subject, _plain_text(notice, brand, url), html


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server. ``validate_certs``: check the server's certificate
    (always, outside tests); ``cert_bundle``: a PEM file of CAs to trust instead of the
    system's (tests trust their self-signed certificate this way)."""

    host: str
    port: int
    security: SmtpSecurity
    username: str | None
    password: str | None
    from_address: str
    from_name: str | None
    timeout_seconds: float = 10.0
    validate_certs: bool = True
    cert_bundle: str | None = None

    def __repr__(self) -> str:
        shown = "<set>" if self.password else None
        return (
            f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security.value!r}, "
            f"username={self.username!r}, password={shown!r}, "
            f"from_address={self.from_address!r})"
        )


def smtp_config_from_settings(smtp: SmtpSettings) -> SmtpConfig | None:
    """The environment's SMTP server (``PORTAL_SMTP__*``), or None when not configured."""
    if not smtp.host or not smtp.from_address:
        return None
    return SmtpConfig(
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        username=smtp.username or None,
        password=smtp.password.get_secret_value() if smtp.password else None,
        from_address=smtp.from_address,
        from_name=smtp.from_name,
        timeout_seconds=smtp.timeout_seconds,
    )


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip() or "localhost"


def build_message(
    config: SmtpConfig,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str,
    brand: Brand,
    message_id: str,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """The mail: multipart/alternative of ``text`` and ``html`` (with the brand's logo inline
    as ``cid:brand-logo`` when there is one), ``Message-ID: <{message_id}@{domain}>`` and
    ``X-Portal-Delivery: {message_id}`` so a repeat can be dropped; ``attachments`` make it
    multipart/mixed."""
    message = EmailMessage()
    message["Subject"] = _one_line(subject)
    message["From"] = Address(
        display_name=_one_line(config.from_name or ""), addr_spec=config.from_address
    )
    message["To"] = ", ".join(to)
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = f"<{message_id}@{_domain(config.from_address)}>"
    message["X-Portal-Delivery"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if brand.logo is not None:
        content, content_type = brand.logo
        maintype, _, subtype = content_type.partition("/")
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None  # added just above
        html_part.add_related(
            content, maintype=maintype, subtype=subtype or "octet-stream", cid=f"<{LOGO_CID}>"
        )
    for attachment in attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


@dataclass(frozen=True)
class SmtpAnswer:
    """How a send went: ``detail`` is the server's final answer or the error (no password);
    ``permanent``: refused for good (5xx), so the caller dead-letters at once."""

    ok: bool
    detail: str
    permanent: bool = False


def _response_answer(prefix: str, code: int, text: str) -> SmtpAnswer:
    return SmtpAnswer(False, f"{prefix}: {code} {_one_line(text)}", permanent=code >= 500)


def _error_answer(error: Exception) -> SmtpAnswer:
    """The answer for what ``aiosmtplib.send`` raised."""
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return _response_answer("login refused", error.code, error.message)
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{item.recipient}: {item.code} {_one_line(item.message)}" for item in error.recipients
        )
        permanent = bool(error.recipients) and all(item.code >= 500 for item in error.recipients)
        return SmtpAnswer(False, f"every recipient refused: {refused}", permanent=permanent)
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return _response_answer(f"sender {error.sender} refused", error.code, error.message)
    if isinstance(error, aiosmtplib.SMTPConnectResponseError):
        return SmtpAnswer(False, f"server refused the connection: {error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _response_answer("refused", error.code, error.message)
    if isinstance(error, aiosmtplib.SMTPTimeoutError):
        return SmtpAnswer(False, f"timed out: {error}")
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return SmtpAnswer(False, f"TLS failed: {error}")
    if isinstance(error, ValueError):
        return SmtpAnswer(False, f"the message cannot be sent: {error}", permanent=True)
    return SmtpAnswer(False, _one_line(str(error)) or type(error).__name__)


def _without(password: str | None, text: str) -> str:
    return text.replace(password, "***") if password else text


async def send_message(config: SmtpConfig, message: EmailMessage) -> SmtpAnswer:
    """Send ``message`` (envelope from its ``From``/``To``) through ``config``'s server."""
    try:
        errors, response = await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.username or None,
            password=(config.password or "") if config.username else None,
            use_tls=config.security is SmtpSecurity.TLS,
            start_tls=config.security is SmtpSecurity.STARTTLS,
            timeout=config.timeout_seconds,
            validate_certs=config.validate_certs,
            cert_bundle=config.cert_bundle,
        )
    except (aiosmtplib.SMTPException, OSError, ValueError) as error:
        answer = _error_answer(error)
    else:
        detail = f"250 {_one_line(response)}"
        if errors:
            refused = "; ".join(
                f"{who}: {r.code} {_one_line(r.message)}" for who, r in errors.items()
            )
            detail += f" (refused: {refused})"
        answer = SmtpAnswer(True, detail)
    return SmtpAnswer(answer.ok, _without(config.password, answer.detail), answer.permanent)
