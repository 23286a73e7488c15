"""Stored secrets: encryption round trip, a changed key, and the key file made on first use."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from power_portal.core.secrets import (
    KEY_FILE_NAME,
    SecretBox,
    SecretUnreadable,
    forget_secret_boxes,
    key_file_material,
    secret_box,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    forget_secret_boxes()


def test_a_secret_comes_back_as_it_went_in() -> None:
    box = SecretBox.from_key_material("any string at all")
    token = box.encrypt("smtp-pässword")
    assert token != "smtp-pässword"
    assert "smtp" not in token
    assert box.decrypt(token) == "smtp-pässword"


def test_the_same_material_makes_the_same_key() -> None:
    token = SecretBox.from_key_material("material").encrypt("s")
    assert SecretBox.from_key_material("material").decrypt(token) == "s"


def test_another_key_cannot_read_it_and_says_the_key_changed() -> None:
    token = SecretBox.from_key_material("old key").encrypt("hunter2-webhook-secret")
    with pytest.raises(SecretUnreadable) as raised:
        SecretBox.from_key_material("new key").decrypt(token)
    message = str(raised.value)
    assert "PORTAL_SECRET_KEY" in message
    assert "hunter2" not in message
    assert token not in message
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("token", ["", "not a token", "gAAAAA" + "x" * 80])
def test_garbage_is_unreadable(token: str) -> None:
    with pytest.raises(SecretUnreadable):
        SecretBox.from_key_material("key").decrypt(token)


def test_empty_key_material_is_refused() -> None:
    with pytest.raises(ValueError):
        SecretBox.from_key_material("")


def test_the_key_file_is_made_private_on_first_use_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    token = secret_box(None, data_dir).encrypt("secret")
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_text()
    forget_secret_boxes()
    assert secret_box(None, data_dir).decrypt(token) == "secret"
    assert key_file.read_text() == content
    assert [path.name for path in data_dir.iterdir()] == [KEY_FILE_NAME]


def test_a_configured_key_needs_no_file(tmp_path: Path) -> None:
    token = secret_box("from the environment", tmp_path).encrypt("secret")
    assert not (tmp_path / KEY_FILE_NAME).exists()
    assert SecretBox.from_key_material("from the environment").decrypt(token) == "secret"
    with pytest.raises(SecretUnreadable):
        secret_box(None, tmp_path).decrypt(token)


def test_an_empty_configured_key_falls_back_to_the_file(tmp_path: Path) -> None:
    secret_box("", tmp_path)
    assert (tmp_path / KEY_FILE_NAME).exists()


def test_callers_racing_for_a_new_key_file_all_get_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "race" / KEY_FILE_NAME
    racers = 16
    start = threading.Barrier(racers)

    def race() -> str:
        start.wait(10)
        return key_file_material(path)

    with ThreadPoolExecutor(racers) as pool:
        keys = set(pool.map(lambda _: race(), range(racers)))
    assert len(keys) == 1
    assert keys == {path.read_text().strip()}
    assert [entry.name for entry in path.parent.iterdir()] == [KEY_FILE_NAME]


def test_the_box_does_not_show_its_key() -> None:
    assert "material" not in repr(SecretBox.from_key_material("material"))
