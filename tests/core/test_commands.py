"""The ``wushe`` console script and its project commands."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.spreadsheets import write_csv
from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.areas.models import Area
from wushe.volunteers.models import VolunteerProfile


def run(*args, **kwargs):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_import_areas_json_summary_and_exit_code(tmp_path):
    path = write_csv(
        tmp_path / "areas.csv",
        [
            ["代码", "名称", "层级"],
            ["310115", "浦东新区", "区"],
            ["310115901", "明珠街道", "街道"],
            ["310115901001", "一村", "小区"],
        ],
    )
    with pytest.raises(SystemExit) as exit_info:
        run("import_areas", str(path), "--json")
    assert exit_info.value.code == 1  # a rejected row makes the command fail for scripts


@pytest.mark.django_db
def test_import_areas_keys_dry_run_and_unknown_file(tmp_path, capsys):
    path = write_csv(
        tmp_path / "areas.csv", [["代码", "名称", "层级"], ["310115", "浦东新区", "区"]]
    )
    summary = json.loads(run("import_areas", str(path), "--json", "--dry-run"))
    assert {"created", "updated", "unchanged", "skipped", "rejected"} <= set(summary)
    assert summary["created"] == 1 and summary["dry_run"] is True
    assert not Area.objects.exists()
    assert "Imported: 1 created" in run("import_areas", str(path))
    with pytest.raises(CommandError, match="no such file"):
        run("import_areas", str(tmp_path / "missing.csv"))


def test_areas_listing(street, people):
    rows = json.loads(run("areas", "--level", "grid", "--json"))
    assert {r["code"] for r in rows} == {
        street.grid_a1.code,
        street.grid_a2.code,
        street.grid_b1.code,
    }
    assert set(rows[0]) == {"code", "name", "level", "parent_code"}
    scoped = json.loads(run("areas", "--json", "--as-user", "worker_a", "--level", "grid"))
    assert {r["code"] for r in scoped} == {street.grid_a1.code, street.grid_a2.code}


def test_token_is_stable_and_unknown_user_is_an_error(street, people):
    first = run("token", "worker_a").strip()
    assert len(first) == 40 and run("token", "worker_a").strip() == first
    with pytest.raises(CommandError, match="nobody"):
        run("token", "nobody")


def test_demo_is_idempotent_and_has_one_user_per_role(db, settings):
    settings.DEBUG = True
    output = run("demo")
    run("demo")
    assert Area.objects.filter(level="community").count() == 4
    assert 180 <= Area.objects.filter(level="building").count() <= 250
    assert not Area.objects.filter(level="building", lon__isnull=True).exists()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert "wushe-demo-2026" in output
    for user in User.objects.all():
        assert user.check_password("wushe-demo-2026")


def test_demo_refuses_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        run("demo")
    assert not User.objects.exists() and not Area.objects.exists()


def test_demo_never_changes_an_account_it_did_not_create(db, settings):
    settings.DEBUG = False
    admin = User.objects.create_superuser("admin", password="Real-Secret-pw-991")
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    real = User.objects.create_user(
        "volunteer3", password="own-password-123", role=Role.SYSTEM_ADMIN, is_active=False
    )
    output = run("demo", "--force")
    for user in (admin, real):
        before = user.password
        user.refresh_from_db()
        assert user.password == before and not user.is_active
    assert admin.is_superuser and real.role == Role.SYSTEM_ADMIN
    assert "admin: an existing account that is not a demo user" in output
    assert not VolunteerProfile.objects.filter(user=real).exists()
    assert User.objects.get(username="command").check_password("wushe-demo-2026")


@pytest.mark.slow
def test_console_script_and_production_deploy_check():
    """``wushe check --deploy`` on production settings: no warnings at all."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wushe.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WUSHE_DATA_KEY": secrets.token_urlsafe(32),
        "WUSHE_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "wushe.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-m", "wushe", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout

    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "-m", "wushe", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
