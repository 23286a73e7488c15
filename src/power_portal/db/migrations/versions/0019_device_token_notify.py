"""A NOTIFY whenever a device token stops being what it was: revoked, changed or deleted.

``app.device_tokens`` gets a row trigger that sends ``NOTIFY portal_device_tokens`` with the
token's SHA-256 (delivered when the transaction commits) after an ``UPDATE`` of
``revoked_at``, ``token_sha256`` or ``device_id`` and after a ``DELETE`` (a device's deletion
cascades here). Each portal process keeps an in-process cache of the tokens it has seen and
drops the named one (``ingest/tokens.py``); ``last_used_at`` updates send nothing.

Revision ID: 0019_device_token_notify
Revises: 0018_fleet_codes
Create Date: 2026-12-03 16:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_device_token_notify"
down_revision: str | None = "0018_fleet_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION app.notify_device_token_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('portal_device_tokens', OLD.token_sha256);
            RETURN NULL;
        END
        $$
    """)
    op.execute("""
        CREATE TRIGGER device_tokens_notify
        AFTER UPDATE OF revoked_at, token_sha256, device_id OR DELETE ON app.device_tokens
        FOR EACH ROW EXECUTE FUNCTION app.notify_device_token_change()
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER device_tokens_notify ON app.device_tokens")
    op.execute("DROP FUNCTION app.notify_device_token_change()")
