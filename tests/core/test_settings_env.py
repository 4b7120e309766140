"""Settings helpers fail loudly on bad values and read NAME_FILE secrets."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from wushe.settings.env import env_bool, env_int, env_list, env_required, env_str


def test_bool_accepts_usual_spellings_and_rejects_others(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_int_and_list(monkeypatch):
    monkeypatch.setenv("X_N", "12")
    assert env_int("X_N", 0) == 12
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_N"):
        env_int("X_N", 0)
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_file_variant_wins_and_missing_file_is_an_error(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env_str("X_SECRET")


def test_required(monkeypatch):
    monkeypatch.delenv("X_REQ", raising=False)
    monkeypatch.delenv("X_REQ_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQ must be set"):
        env_required("X_REQ")
