"""The back office shows every date in the Jalali calendar: no Gregorian month on any list or record page."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse

# Django's Persian names of the Gregorian months, and the Latin ones, in a date ("۱ مه ۲۰۲۶").
MONTHS = ("ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر",
          "دسامبر", "January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# A Persian page shows no ISO date either, not even after its Jalali twin.
GREGORIAN_DATE = re.compile(r"[0-9۰-۹]{1,2}\s+(?:" + "|".join(MONTHS) + r")\s+[0-9۰-۹]{4}"
                            r"|\b20[0-9]{2}-[0-9]{2}-[0-9]{2}\b")


def _texts(html: str) -> str:
    """What a person reads: tags, scripts and attribute values removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def dated_rows(election):
    """A row the back office lists with a time, beside the demo's own (audit events, decrees, meetings…)."""
    from entekhab.hq.polling.models import Incident, IncidentKind

    branch = election.branches.order_by("number").first()
    Incident.objects.create(election=election, branch=branch, kind=IncidentKind.DOUBLE_CHECKIN,
                            summary_fa="آزمون", summary_en="test", details={})


def test_no_back_office_page_shows_a_gregorian_date(client_as, dated_rows):
    from entekhab.hq.accounts.roles import Role

    client = client_as(Role.HQ_ADMIN)
    offenders = []
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"{name}_changelist")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{name}_change", args=[first.pk]))
        for url in pages:
            response = client.get(url)
            if response.status_code != 200:
                continue
            text = _texts(response.content.decode())
            found = GREGORIAN_DATE.findall(text)
            if found:
                offenders.append(f"{url}: {sorted(set(found))[:4]}")
    assert offenders == [], "\n".join(offenders)
