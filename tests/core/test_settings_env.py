"""Settings helpers fail loudly on bad values and read NAME_FILE secrets."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from wushe.settings.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_required,
    env_str,
)


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


def test_float_and_choice(monkeypatch):
    monkeypatch.setenv("X_SPEED", "1.5")
    assert env_float("X_SPEED", 1.0, positive=True) == 1.5
    monkeypatch.setenv("X_SPEED", "fast")
    with pytest.raises(ImproperlyConfigured, match="X_SPEED"):
        env_float("X_SPEED", 1.0)
    monkeypatch.setenv("X_SPEED", "0")
    with pytest.raises(ImproperlyConfigured, match="X_SPEED"):
        env_float("X_SPEED", 1.0, positive=True)
    monkeypatch.setenv("X_MODE", "cycling")
    assert env_choice("X_MODE", "walking", ("walking", "cycling")) == "cycling"
    monkeypatch.setenv("X_MODE", "flying")
    with pytest.raises(ImproperlyConfigured, match="X_MODE"):
        env_choice("X_MODE", "walking", ("walking", "cycling"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WUSHE_DISPATCH_DETOUR", "1,3"),  # a decimal comma
        ("WUSHE_DISPATCH_SPEED_MPS", "0"),  # would divide by zero in every round
        ("WUSHE_OSRM_TIMEOUT_S", "ten"),
        ("WUSHE_DISPATCH_TRAVEL_MODE", "bike"),  # was silently read as walking
        ("WUSHE_API_TOKEN_MAX_AGE_DAYS", "-1"),  # would refuse every token
        ("WUSHE_JOB_STALE_AFTER_S", "0"),  # every running job would read as stalled
        ("WUSHE_JOB_STALE_AFTER_S", "30"),  # a live worker between two updates, taken for dead
        ("WUSHE_WHOLE_NUMBER_SEARCHES_PER_HOUR", "0"),  # would refuse every such search
        ("WUSHE_MAX_SHEET_BYTES", "0"),  # would refuse every sheet
        ("WUSHE_MAX_PHOTO_BYTES", "-1"),
        ("WUSHE_IMPORT_SYNC_MAX_BYTES", "-1"),
        ("WUSHE_DISPATCH_CAPACITY", "0"),  # no volunteer could carry a task
        ("WUSHE_DISPATCH_SHIFT_S", "0"),
        ("WUSHE_DISPATCH_SERVICE_S", "-600"),
        ("WUSHE_DISPATCH_OFFER_TIMEOUT_S", "0"),  # every offer would lapse at once
        ("WUSHE_OSRM_MAX_TABLE", "1"),  # a table needs two places
        ("DB_CONN_MAX_AGE", "-1"),
        ("DB_PREPARED_STATEMENTS", "sometimes"),
    ],
)
def test_a_malformed_setting_stops_the_start_naming_it(name, value):
    """docs/operations.md: "A malformed value stops the start with a message naming it"."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wushe.settings.dev", name: value}
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {name}=" in done.stderr
