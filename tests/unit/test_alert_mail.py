"""Alert e-mail rendering and the MIME message: subject, escaping, both parts, inline logo."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from email.message import EmailMessage

import pytest

from power_portal.alerts.mail import (
    Brand,
    Notice,
    SmtpConfig,
    alert_subject,
    build_message,
    format_number,
    render_notice,
    smtp_config_from_settings,
)
from power_portal.settings import SmtpSecurity, SmtpSettings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
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
    at_local="2026-07-01 08:30 (Africa/Johannesburg)",
    url="https://portal.example/alerts/12",
    extra_lines=("The new peak adds R 1 234.50 to this month's demand charge.",),
)
CONFIG = SmtpConfig(
    host="smtp.example",
    port=587,
    security=SmtpSecurity.STARTTLS,
    username="mailer",
    password="pw",
    from_address="alerts@portal.example",
    from_name="Acme Alerts",
)


def test_the_subject_says_severity_rule_subject_and_event() -> None:
    assert alert_subject(NOTICE) == "[critical] Main incomer demand: Incomer fired"
    resolved = dataclasses.replace(NOTICE, event="resolved", severity="warning")
    assert alert_subject(resolved) == "[warning] Main incomer demand: Incomer resolved"


def test_a_test_message_has_the_product_in_its_subject() -> None:
    test = dataclasses.replace(NOTICE, event="test")
    assert alert_subject(test, "Acme Energy") == "[Acme Energy] test message"
    assert render_notice(test, BRAND)[0] == "[Acme Energy] test message"


def test_a_name_with_line_breaks_cannot_add_a_header() -> None:
    notice = dataclasses.replace(NOTICE, rule_name="Demand\r\nBcc: victim@example.com")
    subject = alert_subject(notice)
    assert "\n" not in subject
    assert "\r" not in subject
    message = build_message(
        CONFIG, to=["a@example.com"], subject=subject, text="t", html="<p>h</p>",
        brand=BRAND, message_id="alert-1",
    )  # fmt: skip
    assert message["Bcc"] is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [(412.5, "412.5"), (400.0, "400"), (0.25, "0.25"), (-0.001, "0"), (12.3456, "12.35")],
)
def test_numbers_show_at_most_two_decimals(value: float, shown: str) -> None:
    assert format_number(value) == shown


def test_the_plain_text_says_what_the_html_says() -> None:
    subject, text, html = render_notice(NOTICE, BRAND)
    assert subject == "[critical] Main incomer demand: Incomer fired"
    for part in (text, html):
        assert "Acme Energy" in part
        assert "412.5 kVA" in part
        assert "400 kVA" in part
        assert "Centre" in part
        assert "2026-07-01 08:30 (Africa/Johannesburg)" in part
        assert "30-minute demand 412.5 kVA above 400 kVA" in part
        assert "R 1 234.50" in part
        assert "https://portal.example/alerts/12" in part
    assert "Value:" in text
    assert "Threshold:" in text


def test_the_html_is_branded() -> None:
    _, _, html = render_notice(NOTICE, BRAND)
    assert "background:#aa3300" in html  # the header bar and the button
    assert "#0033aa" in html
    assert 'src="cid:brand-logo"' in html
    assert 'href="https://portal.example/alerts/12"' in html


def test_no_logo_no_image_and_no_url_no_button() -> None:
    _, text, html = render_notice(
        dataclasses.replace(NOTICE, url=None), dataclasses.replace(BRAND, logo=None)
    )
    assert "<img" not in html
    assert "<a " not in html
    assert "Open the alert" not in text


def test_names_are_escaped_in_the_html() -> None:
    hostile = dataclasses.replace(
        NOTICE,
        rule_name="<script>alert(1)</script>",
        subject_name='Incomer" onmouseover="x',
        site_name="<b>Centre</b>",
        message="<img src=x onerror=alert(2)>",
        extra_lines=("<iframe>",),
    )
    brand = dataclasses.replace(BRAND, product_name="<script>evil()</script>")
    _, text, html = render_notice(hostile, brand)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;evil()&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "<iframe>" not in html
    assert "<b>Centre" not in html
    assert 'onmouseover="x' not in html
    assert "<script>alert(1)</script>" in text  # plain text is not HTML


def test_a_hostile_colour_or_link_is_not_used() -> None:
    brand = dataclasses.replace(BRAND, primary_color="red;background:url(http://x)")
    notice = dataclasses.replace(NOTICE, url="javascript:alert(1)")
    _, text, html = render_notice(notice, brand)
    assert "url(http://x)" not in html
    assert "background:#1677ff" in html
    assert "javascript:" not in html
    assert "javascript:" not in text


def _parse(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_message_has_both_parts_the_inline_logo_and_the_delivery_key() -> None:
    subject, text, html = render_notice(NOTICE, BRAND)
    message = _parse(
        build_message(
            CONFIG,
            to=["ops@example.com", "boss@example.com"],
            subject=subject,
            text=text,
            html=html,
            brand=BRAND,
            message_id="alert-12-40-email-7",
        )
    )
    assert message["Subject"] == subject
    assert message["From"].addresses[0].display_name == "Acme Alerts"
    assert message["From"].addresses[0].addr_spec == "alerts@portal.example"
    assert [a.addr_spec for a in message["To"].addresses] == ["ops@example.com", "boss@example.com"]
    assert message["Message-ID"] == "<alert-12-40-email-7@portal.example>"
    assert message["X-Portal-Delivery"] == "alert-12-40-email-7"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert "412.5 kVA" in plain.get_content()
    assert "cid:brand-logo" in rich.get_content()
    related = [part for part in message.walk() if part.get_content_type() == "multipart/related"]
    assert len(related) == 1
    logo = next(part for part in message.walk() if part.get_content_type() == "image/png")
    assert logo["Content-ID"] == "<brand-logo>"
    assert logo.get_content() == PNG


def test_without_a_logo_the_html_is_a_plain_alternative() -> None:
    message = build_message(
        dataclasses.replace(CONFIG, from_name=None),
        to=["ops@example.com"],
        subject="s",
        text="t",
        html="<p>h</p>",
        brand=dataclasses.replace(BRAND, logo=None),
        message_id="k",
    )
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert str(message["From"]) == "alerts@portal.example"


def test_the_config_hides_the_password() -> None:
    assert "'pw'" not in repr(CONFIG)
    assert "password='<set>'" in repr(CONFIG)


def test_the_environment_config_applies_only_when_complete() -> None:
    assert smtp_config_from_settings(SmtpSettings()) is None
    assert smtp_config_from_settings(SmtpSettings(host="smtp.example")) is None
    config = smtp_config_from_settings(
        SmtpSettings(host="smtp.example", from_address="a@b.example", password="pw")
    )
    assert config is not None
    assert config.password == "pw"
    assert config.security is SmtpSecurity.STARTTLS
