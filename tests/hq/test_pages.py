from __future__ import annotations

import re
import subprocess
import sys

from entekhab.hq.accounts.roles import Role


def test_home_is_persian_and_rtl_by_default(client, election):
    html = client.get("/").content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "روز رأی‌گیری" in html and "۱۱ اردیبهشت ۱۴۰۵" in html
    assert re.search(r"[۰-۹]", html)


def test_english_is_selectable(client, election):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Polling day" in html


def test_admin_is_persian(client_as):
    html = client_as(Role.HQ_ADMIN).get("/admin/").content.decode()
    assert 'dir="rtl"' in html and "ستاد انتخابات" in html and "شعب اخذ رأی" in html


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "ENTEKHAB_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 20 + "Zq8!xV2#mW9$rT4%yU7^pL1&nB6*cD3(fG5)hJ0_",
        "ENTEKHAB_ALLOWED_HOSTS": "hq.example.org",
        "ENTEKHAB_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "entekhab.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    assert "no issues" in out.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = {"ENTEKHAB_ENV": "production", "ENTEKHAB_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "entekhab.cli", "manage", "check"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0 and "DJANGO_SECRET_KEY" in out.stderr


def test_browser_language_does_not_override_persian(client, election):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fa" dir="rtl">' in html
