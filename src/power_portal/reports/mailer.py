"""A report run's mail: the alerts' sender delivers it (``Composer`` for ``event = 'report'``).

The subject and body name the site, the period and the files; the run's documents ride as
attachments, exactly as stored (what the Reports page offers again); a document left out
is named with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts.mail import (
    DEFAULT_PRIMARY_COLOR,
    LOGO_CID,
    Attachment,
    Brand,
    SmtpConfig,
    build_message,
)
from power_portal.alerts.models import OutboxEntry
from power_portal.reports import repository
from power_portal.reports.models import ReportRun
from power_portal.reports.periods import Period
from power_portal.sites.models import Site


@dataclass(frozen=True)
class RunMail:
    """What a run's mail tells (pure input of ``render_run_mail``)."""

    site_name: str
    period_title: str
    schedule_name: str | None
    filenames: tuple[str, ...]
    notes: tuple[str, ...]


def run_subject(mail: RunMail, brand: Brand) -> str:
    return f"[{brand.product_name}] {mail.site_name}: {mail.period_title}"


HTML_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="margin:0;padding:24px;background:#f5f5f5;font-family:Arial,Helvetica,sans-serif;\
color:#1f1f1f;">
<div style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:6px;">
<div style="background:{{ primary }};color:#ffffff;padding:16px 24px;font-size:18px;\
font-weight:bold;border-radius:6px 6px 0 0;">{% if logo_cid %}<img src="cid:{{ logo_cid }}" \
alt="" height="32" style="height:32px;vertical-align:middle;margin-right:12px;border:0;">\
{% endif %}{{ product_name }}</div>
<div style="padding:24px;">
<h1 style="margin:0 0 12px;font-size:20px;">{{ site_name }}: {{ period_title }}</h1>
{% if schedule_name %}<p style="margin:0 0 12px;color:#595959;">{{ schedule_name }}</p>{% endif %}
{% if filenames %}<p style="margin:0 0 8px;">Attached:</p><ul>
{% for name in filenames %}<li>{{ name }}</li>{% endfor %}</ul>{% endif %}
{% if notes %}<p style="margin:12px 0 8px;">Not included:</p><ul>
{% for note in notes %}<li>{{ note }}</li>{% endfor %}</ul>{% endif %}
</div>
<div style="padding:12px 24px;font-size:12px;color:#595959;">Sent by {{ product_name }}.</div>
</div></body></html>
"""

_HTML = Environment(autoescape=True, keep_trailing_newline=True).from_string(HTML_TEMPLATE)


def render_run_mail(mail: RunMail, brand: Brand) -> tuple[str, str, str]:
    """(subject, plain text, HTML)."""
    subject = run_subject(mail, brand)
    lines = [brand.product_name, "", f"{mail.site_name}: {mail.period_title}"]
    if mail.schedule_name:
        lines.append(mail.schedule_name)
    if mail.filenames:
        lines += ["", "Attached:", *(f"- {name}" for name in mail.filenames)]
    if mail.notes:
        lines += ["", "Not included:", *(f"- {note}" for note in mail.notes)]
    lines += ["", "--", f"Sent by {brand.product_name}."]
    primary = brand.primary_color if brand.primary_color.startswith("#") else None
    html = _HTML.render(
        subject=subject,
        product_name=brand.product_name,
        logo_cid=LOGO_CID if brand.logo else None,
        primary=primary or DEFAULT_PRIMARY_COLOR,
        site_name=mail.site_name,
        period_title=mail.period_title,
        schedule_name=mail.schedule_name,
        filenames=mail.filenames,
        notes=mail.notes,
    )
    return subject, "\n".join(lines) + "\n", html


async def compose(
    db: AsyncSession, entry: OutboxEntry, smtp: SmtpConfig, brand: Brand
) -> EmailMessage | None:
    """The mail of ``entry``'s run, with its files; None when the run is gone."""
    run = await db.get(ReportRun, entry.report_run_id) if entry.report_run_id else None
    if run is None:
        return None
    site = await db.get(Site, run.site_id)
    files = await repository.run_files(db, run.id)
    period = Period(
        "week" if run.period == "week" else "month", run.label, run.period_start, run.period_end
    )
    mail = RunMail(
        site_name=site.name if site is not None else f"site {run.site_id}",
        period_title=f"{'Monthly' if run.period == 'month' else 'Weekly'} report, {period.title}",
        schedule_name=run.schedule_name,
        filenames=tuple(f.filename for f in files),
        notes=tuple(run.notes),
    )
    subject, text, html = render_run_mail(mail, brand)
    return build_message(
        smtp,
        to=[entry.recipient],
        subject=subject,
        text=text,
        html=html,
        brand=brand,
        message_id=entry.idempotency_key,
        attachments=[Attachment(f.filename, f.media_type, f.content) for f in files],
    )
