"""User management over the real API: validation, roles, the last-admin rule."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.database import sql
from tests.support.portal import ADMIN_EMAIL, USER_PASSWORD, Credentials, LiveServer, login_client


def admin_id(admin_client: httpx.Client) -> int:
    me = admin_client.get("/api/auth/me").json()
    assert me["email"] == ADMIN_EMAIL
    return int(me["id"])


def test_create_and_list(admin_client: httpx.Client) -> None:
    response = admin_client.post(
        "/api/users",
        json={
            "email": "Ops@Example.com",
            "name": "  Olga Ops ",
            "password": USER_PASSWORD,
            "role": "admin",
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["email"] == "ops@example.com"
    assert created["name"] == "Olga Ops"
    assert created["role"] == "admin"
    assert created["is_active"] is True
    assert "password" not in response.text
    emails = [u["email"] for u in admin_client.get("/api/users").json()]
    assert emails == sorted([ADMIN_EMAIL, "ops@example.com"])
    assert admin_client.get(f"/api/users/{created['id']}").json()["email"] == "ops@example.com"


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"email": "not-an-email"}, "email", "e-mail address"),
        ({"password": "short"}, "password", "at least 10"),
        ({"password": "x" * 300}, "password", "at most 256"),
        ({"role": "owner"}, "role", "admin"),
        ({"name": "   "}, "name", "at least 1"),
    ],
)
def test_create_refuses_bad_fields_naming_them(
    admin_client: httpx.Client, body: dict[str, str], field: str, fragment: str
) -> None:
    payload = {"email": "new@example.com", "name": "New", "password": USER_PASSWORD} | body
    response = admin_client.post("/api/users", json=payload)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", field]
    assert fragment in problem["msg"]
    assert len(admin_client.get("/api/users").json()) == 1  # nothing written


def test_duplicate_email_is_a_field_error(
    admin_client: httpx.Client, make_user: Callable[..., Credentials]
) -> None:
    make_user(email="dup@example.com")
    response = admin_client.post(
        "/api/users",
        json={"email": "DUP@example.com", "name": "Again", "password": USER_PASSWORD},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "email"],
            "msg": "a user with this e-mail already exists",
            "type": "unique",
        }
    ]


def test_change_role_and_name(
    admin_client: httpx.Client, live_server: LiveServer, viewer: Credentials
) -> None:
    response = admin_client.patch(f"/api/users/{viewer.id}", json={"role": "admin", "name": "V"})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["name"] == "V"
    promoted = login_client(live_server.url, viewer.email, viewer.password)
    assert promoted.get("/api/users").status_code == 200


def test_unknown_user_is_404(admin_client: httpx.Client) -> None:
    response = admin_client.patch("/api/users/999999", json={"name": "x"})
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


def test_last_admin_cannot_be_demoted_deactivated_or_deleted(
    admin_client: httpx.Client, make_user: Callable[..., Credentials], live_server: LiveServer
) -> None:
    me = admin_id(admin_client)
    for change in ({"role": "viewer"}, {"is_active": False}):
        response = admin_client.patch(f"/api/users/{me}", json=change)
        assert response.status_code == 409, change
        assert "at least one active admin" in response.json()["detail"]
    # with a second admin the first may step down; the second is then the last
    other = make_user("admin")
    assert admin_client.patch(f"/api/users/{me}", json={"role": "viewer"}).status_code == 200
    other_client = login_client(live_server.url, other.email, other.password)
    assert other_client.patch(f"/api/users/{other.id}", json={"role": "viewer"}).status_code == 409
    assert other_client.delete(f"/api/users/{other.id}").status_code == 409  # self, and last


def test_delete_user(admin_client: httpx.Client, viewer: Credentials) -> None:
    assert admin_client.delete(f"/api/users/{viewer.id}").status_code == 204
    assert admin_client.get(f"/api/users/{viewer.id}").status_code == 404


def test_an_admin_cannot_delete_themselves(
    admin_client: httpx.Client, make_user: Callable[..., Credentials]
) -> None:
    make_user("admin")
    response = admin_client.delete(f"/api/users/{admin_id(admin_client)}")
    assert response.status_code == 409
    assert "your own account" in response.json()["detail"]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    live_server: LiveServer,
    make_user: Callable[..., Credentials],
    admin_client: httpx.Client,
    db_url: URL,
) -> None:
    a = make_user("admin")
    b = make_user("admin")
    # leave exactly a and b as admins
    admin_client.patch(f"/api/users/{admin_id(admin_client)}", json={"role": "viewer"})
    clients = {
        a.id: login_client(live_server.url, a.email, a.password),
        b.id: login_client(live_server.url, b.email, b.password),
    }
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def demote(actor: int, target: int) -> None:
        barrier.wait()
        statuses.append(
            clients[actor].patch(f"/api/users/{target}", json={"role": "viewer"}).status_code
        )

    threads = [
        threading.Thread(target=demote, args=(a.id, b.id)),
        threading.Thread(target=demote, args=(b.id, a.id)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) in ([200, 403], [200, 409])
    active_admins = sql(
        db_url, "SELECT count(*) FROM identity.users WHERE role = 'admin' AND is_active"
    )
    assert active_admins == [(1,)]


def test_reset_password_ends_sessions_and_unlocks(
    admin_client: httpx.Client, live_server: LiveServer, viewer: Credentials
) -> None:
    viewer_http = login_client(live_server.url, viewer.email, viewer.password)
    too_short = admin_client.post(f"/api/users/{viewer.id}/password", json={"password": "short"})
    assert too_short.status_code == 422
    assert too_short.json()["detail"][0]["loc"] == ["body", "password"]
    response = admin_client.post(
        f"/api/users/{viewer.id}/password", json={"password": "reset-by-the-admin"}
    )
    assert response.status_code == 200
    assert viewer_http.get("/api/auth/me").status_code == 401
    login_client(live_server.url, viewer.email, "reset-by-the-admin").close()


def test_viewer_can_read_self_but_not_manage_users(viewer_client: httpx.Client) -> None:
    assert viewer_client.get("/api/auth/me").json()["role"] == "viewer"
    assert viewer_client.get("/api/users").status_code == 403
    response = viewer_client.post(
        "/api/users", json={"email": "x@example.com", "name": "X", "password": USER_PASSWORD}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "this needs the admin role"}
