"""Look-alike e-mails (issue 21): a compatibility spelling is the plain account, an invisible
character is refused (422 naming ``email``), on the users API and the login alike."""

from __future__ import annotations

import httpx
import pytest

from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, LiveServer

FULLWIDTH_ADMIN = "\uff41\uff44\uff4d\uff49\uff4e\uff20localhost"  # admin@localhost


def _new_user(email: str) -> dict[str, str]:
    return {"email": email, "name": "Look-alike", "password": USER_PASSWORD}


@pytest.mark.parametrize(
    "email", ["admin@localhost\u200b", "ad\u200dmin@localhost", "\ufeffadmin@localhost"]
)
def test_an_invisible_character_is_refused(admin_client: httpx.Client, email: str) -> None:
    response = admin_client.post("/api/users", json=_new_user(email))
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "email"]
    assert "invisible" in error["msg"]


def test_a_compatibility_spelling_is_the_same_account(
    admin_client: httpx.Client, live_server: LiveServer
) -> None:
    response = admin_client.post("/api/users", json=_new_user(FULLWIDTH_ADMIN))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    assert "already exists" in response.json()["detail"][0]["msg"]

    created = admin_client.post("/api/users", json=_new_user("\u00c1dmin@localhost"))
    assert created.status_code == 201, created.text  # a different mailbox, in lower case
    assert created.json()["email"] == "\u00e1dmin@localhost"

    with httpx.Client(base_url=live_server.url) as anonymous:
        signed_in = anonymous.post(
            "/api/auth/login", json={"email": FULLWIDTH_ADMIN, "password": ADMIN_PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["email"] == ADMIN_EMAIL
        refused = anonymous.post(
            "/api/auth/login", json={"email": "admin@localhost\u200b", "password": "x"}
        )
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "email"]
