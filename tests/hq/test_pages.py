from __future__ import annotations

import re
import subprocess
import sys

import pytest

from entekhab.hq.accounts.roles import Role
from entekhab.hq.web.display import localise_number


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


def test_home_shows_todays_phase_and_links_for_visitors(client, election):
    html = client.get("/").content.decode()
    assert "قطعی شدن فهرست‌ها" in html  # the demo stands where lists are final
    assert 'href="/results/1405/"' in html and 'href="/candidates/"' in html
    assert 'href="/results/1405/open-data/"' not in html  # nothing is open data before polling


@pytest.mark.election_state("counting")
def test_home_on_counting_day_shows_progress_and_the_checks(client, election):
    from entekhab.hq.polling.models import BranchReport

    html = client.get("/").content.decode()
    assert "شمارش و تأیید نتایج" in html
    reported = BranchReport.objects.filter(branch__election=election).values("branch").distinct().count()
    assert re.search(r'data-testid="reported">[^<]*<b>' + re.escape(localise_number(reported)), html) is not None
    for path in ("/results/1405/turnout/", "/results/1405/check/", "/results/1405/open-data/"):
        assert f'href="{path}"' in html
