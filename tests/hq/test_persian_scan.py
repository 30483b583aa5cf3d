"""The Persian scan (issue 15): every page of the demo, logged out and as each role, is Persian.

The demo is put where ``make demo`` leaves it: polling day stored, every report counted, the
boards' certifications done, the open data published, plus the incident the offline branch
raises. The crawl starts at the home page and the back office, follows every link, and also
opens every URL pattern that the demo data instantiates (each admin model's list, add form
and one record's change form). At most one page of each route (a change form stands for its
model), so the crawl stays deterministic and takes about a minute.

A page fails on a Gregorian month (English or Persian transliteration) or ISO date, a Latin
digit or an English word outside an identifier (``dir="ltr"``, class ``ltr``, ``<code>``), and
on any 5xx. See :mod:`tests.hq.persian_scan` for what counts as text.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from entekhab.hq.accounts.roles import Role
from tests.hq.persian_scan import Crawl, check_page, summary

pytestmark = pytest.mark.election_state("counting")

# Routes whose text another piece of work owns, each with why; the test fails when one is no
# longer needed, so the list can only shrink.
OWNED_ELSEWHERE: dict[str, str] = {
    "results:contest": "the counting explanation names candidates by id (counting/explain.py, the seat table)",
}

# Public routes that answer files or only POST, or need an id the demo does not make.
NOT_PAGES = frozenset({
    "results:announce", "results:compute", "results:certify", "results:open_data_file", "results:branch_report_json",
    "results:branch_qr", "operations:action_status", "operations:device_event", "operations:roster",
    "operations:decree_pdf", "capacity:run_start", "capacity:seed", "capacity:pdf", "capacity:run", "capacity:branch",
    "candidates:photo", "candidates:photo_by_digest", "candidates:booklet", "candidates:register",
    "polling:report-pdf", "polling:incident_step",
})


@pytest.fixture
def demo_site(election, make_user):
    """The small demo as ``make demo`` leaves it (the synthetic polling day for every branch)."""
    from entekhab.hq.demo.people import demo_user
    from entekhab.hq.operations.actions.devices import do_draw_devices
    from entekhab.hq.polling.models import Incident, IncidentKind
    from entekhab.hq.results.demo import run_results_demo
    from entekhab.hq.results.public import clear_cache as clear_memo
    from tests.hq.conftest import set_state

    set_state("lists_final")  # the public draw of devices to regions, in its phase
    do_draw_devices(election, stage="region", seed="scan 1405", acting_user=demo_user("demo-executive"))
    set_state("counting")
    run_results_demo(election, seed=1405)
    branch = election.branches.order_by("number").first()
    Incident.objects.create(election=election, branch=branch, kind=IncidentKind.DOUBLE_CHECKIN,
                            summary_fa="رأی‌دهنده‌ای که پیش‌تر در شعبه دیگری پذیرش شده بود، برون‌خط پذیرش شد",
                            summary_en="a voter already checked in elsewhere was checked in offline", details={})
    clear_memo()
    yield election
    clear_memo()


def _visitors(make_user):
    """Logged out, each demo official, and a user of every other role."""
    from entekhab.hq.demo.people import DEMO_USERS, demo_user

    yield "visitor", None, True
    seen = set()
    for username, role in DEMO_USERS:
        seen.add(role)
        yield username, demo_user(username), True
    for role in Role:  # roles with no demo official follow links only: they see little of the back office
        if role not in seen:
            yield role.value, make_user(role, f"scan-{role.value.replace('_', '-')}"), False


def _named_pages(election) -> tuple[list[str], set[str]]:
    """Every page route the demo data instantiates, admin lists and forms included; and the routes it cannot."""
    from entekhab.hq.candidates.models import CandidateList, Registration
    from entekhab.hq.capacity.models import PlanScenario
    from entekhab.hq.operations.models import Device, Draw

    code = election.code
    contest = election.contests.order_by("code").first()
    branch = election.branches.order_by("number").first()
    registration = Registration.objects.filter(contest__election=election).order_by("pk").first()
    candidate_list = CandidateList.objects.filter(contest__election=election).order_by("pk").first()
    device = Device.objects.order_by("pk").first()
    draw = Draw.objects.order_by("pk").first()
    scenario = PlanScenario.objects.filter(election=election).order_by("pk").first()
    named: list[tuple[str, tuple]] = [
        ("home", ()), ("results:index", ()), ("results:election", (code,)), ("results:turnout", (code,)),
        ("results:check", (code,)), ("results:open_data", (code,)), ("results:branches", (code,)),
        ("results:branch", (code, branch.code)), ("results:contest", (code, contest.code)),
        ("results:area", (code, contest.code, contest.area.code)),
        ("candidates:directory", ()), ("candidates:how_pr", ()), ("candidates:register_choose", ()),
        ("candidates:self_service", ()), ("candidates:party_lists", ()), ("candidates:vetting_desk", ()),
        ("candidates:contest", (code, contest.code)),
        ("operations:index", ()), ("operations:dashboard", (code,)), ("operations:readiness", (code,)),
        ("operations:deficiencies", (code, "education")), ("operations:branch", (code, branch.code)),
        ("operations:inspect", (code, branch.code)), ("operations:committees", (code,)),
        ("operations:actions", (code,)), ("operations:network", (code,)), ("operations:devices", (code,)),
        ("operations:staff", (code,)),
        ("capacity:index", ()), ("capacity:overview", (code,)), ("capacity:scenario_new", (code,)),
        ("capacity:compare", (code,)),
    ]
    wanted = (("candidates:candidate", registration), ("candidates:vetting_detail", registration),
              ("candidates:list", candidate_list), ("operations:device", device), ("operations:draw", draw),
              ("capacity:scenario_edit", scenario))
    absent = {name for name, thing in wanted if thing is None}
    if registration is not None:
        named += [("candidates:candidate", (code, registration.tracking)),
                  ("candidates:vetting_detail", (registration.tracking,))]
    if candidate_list is not None:
        named.append(("candidates:list", (code, candidate_list.ref)))
    if device is not None:
        named.append(("operations:device", (code, device.serial)))
    if draw is not None:
        named.append(("operations:draw", (code, draw.pk)))
    if scenario is not None:
        named.append(("capacity:scenario_edit", (code, scenario.pk)))
    urls = [reverse(name, args=args) for name, args in named]
    for model in admin.site._registry:
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{base}_changelist"), reverse(f"{base}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{base}_change", args=[first.pk]))
    return [*urls, "/no-such-page/"], absent


def test_every_demo_page_is_persian_for_every_visitor(client, demo_site, make_user):
    pages, absent = _named_pages(demo_site)
    findings, errors, routes = [], [], set()
    from django.contrib.auth.models import User

    for name, user, named in _visitors(make_user):
        client.logout()
        if user is not None:
            client.force_login(user)
        names = frozenset(User.objects.values_list("username", flat=True))
        crawl = Crawl(client, names=names, per_route=1, limit=600).run(["/", "/admin/"], forced=pages if named else ())
        errors += [f"{name}: {e}" for e in crawl.errors]
        findings += [f for f in crawl.findings if not _owned_elsewhere(crawl, f.url)]
        routes |= {key.split("?")[0] for key in crawl.routes}
        owned = {crawl.route_key(f.url).split("?")[0] for f in crawl.findings if _owned_elsewhere(crawl, f.url)}
        routes |= {f"owned:{r}" for r in owned}
    assert errors == [], errors
    assert findings == [], f"{len(findings)} findings:\n" + summary(findings)
    stale = [r for r in OWNED_ELSEWHERE if f"owned:{r}" not in routes]
    assert stale == [], f"these pages pass now: remove them from OWNED_ELSEWHERE: {stale}"
    public = {_route_name(p.pattern, ns) for ns, p in _public_patterns()} - NOT_PAGES - absent
    assert public - routes == set(), f"pages the crawl never reached: {sorted(public - routes)}"


def _owned_elsewhere(crawl: Crawl, url: str) -> bool:
    key = crawl.route_key(url)
    return key is not None and key.split("?")[0] in OWNED_ELSEWHERE


def _public_patterns():
    from django.urls import get_resolver

    for entry in get_resolver().url_patterns:
        namespace = getattr(entry, "namespace", None)
        if namespace in ("results", "candidates", "operations", "capacity", "polling"):
            for p in entry.url_patterns:
                if getattr(p, "name", None):
                    yield namespace, p


def _route_name(pattern, namespace: str) -> str:
    return f"{namespace}:{pattern.name}"


@pytest.mark.parametrize("status", [400, 403, 404, 500, 503])
def test_error_pages_are_persian_with_the_site_header(rf, status):
    from entekhab.hq.web.errors import page_error

    html = page_error(rf.get("/x/"), status).content.decode()
    assert 'lang="fa" dir="rtl"' in html and 'data-testid="site-nav"' in html and 'href="/results/"' in html
    findings, _ = check_page(f"/{status}", html)
    assert findings == [], summary(findings)


def test_api_errors_carry_a_persian_message(client, db):
    from entekhab.hq.web.errors import MESSAGES

    body = client.get("/api/v1/no-such-endpoint").json()
    assert body["code"] == "not_found" and body["message_fa"] == MESSAGES[404][2]
    for _code, _en, fa in MESSAGES.values():
        findings, _ = check_page("/api", f"<p>{fa}</p>")
        assert findings == [] and any("\u0600" <= ch <= "\u06ff" for ch in fa), fa


def test_the_scan_sees_what_it_must_refuse():
    """The checks themselves: each kind of finding, and what an identifier may hold."""
    html = """<html><head><title>شعبه</title></head><body>
    <p>۱ مه ۲۰۲۶</p><p>BRANCH matched</p><p>۳ از 40</p><p>Incident object (۳)</p>
    <p>کد <bdi dir="ltr">C01-T01-R01-0001</bdi> · <code>3f2a9c</code> · <span class="ltr">Ed25519</span></p>
    <p lang="en">Polling day 2026</p><input type="text" value="1405/03/15"><input value="2026-05-01">
    <select><option>C01-T01-R01-0001</option></select></body></html>"""
    found = {(f.kind, f.text) for f in check_page("/t", html)[0]}
    assert ("gregorian", "مه") in found and ("english", "BRANCH matched") in found
    assert ("latin_digits", "40") in found and ("english", "Incident object") in found
    assert ("gregorian", "2026-05-01") in found
    assert len(found) == 5, found
