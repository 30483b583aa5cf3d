from __future__ import annotations

import pytest

from entekhab.domain.council_size import VILLAGE_FIVE_SEAT_THRESHOLD, Settlement, council_size
from entekhab.hq.demo.generate import DISTRICT, build_demo
from entekhab.hq.demo.load import demo_fingerprint, load_demo
from entekhab.hq.elections.ballot_styles import check_ballot_styles
from entekhab.hq.elections.models import Branch, Contest, Election


def test_same_seed_same_data_other_seed_other_data(db):
    load_demo("small", 7)
    first = demo_fingerprint()
    load_demo("small", 7)
    assert demo_fingerprint() == first
    load_demo("small", 8)
    assert demo_fingerprint() != first


def test_every_branch_has_exactly_one_matching_ballot_style(election):
    assert check_ballot_styles(election) == []
    assert not Branch.objects.filter(election=election, ballot_style__isnull=True).exists()


def test_tehran_branch_sees_tehran_council_and_experts_village_sees_its_own(election):
    tehran = Branch.objects.get(election=election, code="C01-T01-R04-0001")
    assert {c.code for c in tehran.ballot_style.contests.all()} == {"council-tehran", "experts-tehran"}
    village = Branch.objects.filter(election=election, area__kind="village").first()
    codes = {c.code for c in village.ballot_style.contests.all()}
    assert codes == {"experts-tehran", f"vcouncil-{village.area.code.lower()}"}
    rey = Branch.objects.filter(election=election, area__code="P23-C02-T01").first()
    assert "council-tehran" in {c.code for c in rey.ballot_style.contests.all()}


def test_seats_and_alternates_follow_the_population_table(election):
    for contest in Contest.objects.filter(election=election).select_related("area"):
        if contest.code == "council-tehran":
            assert (contest.seats, contest.alternates, contest.method) == (21, 11, "proportional-list")
            assert contest.area.code == DISTRICT
        elif contest.office == "city_council":
            size = council_size(Settlement.CITY, contest.area.population)
            assert (contest.seats, contest.alternates) == (size.seats, size.alternates), contest.code
        elif contest.office == "village_council":
            expected = (5, 3) if contest.area.population > VILLAGE_FIVE_SEAT_THRESHOLD else (3, 2)
            assert (contest.seats, contest.alternates) == expected, contest.code
        else:
            assert contest.office == "experts" and contest.is_by_election and contest.seats == 1


def test_tehran_scale_matches_the_real_figures():
    demo = build_demo("tehran", 1405)
    district = {"P23-C02-T01", "P23-C03-T01"}
    in_district = [b for b in demo.branches if b.area.startswith("P23-C01-T01") or b.area in district]
    assert len(demo.branches) == 6_700
    assert len(in_district) == 4_950
    assert 9_600_000 <= demo.eligible <= 10_000_000
    assert len({b.code for b in demo.branches}) == len(demo.branches)
    assert build_demo("tehran", 1405).branches == demo.branches


def test_demo_election_shows_polling_day_jalali_in_persian_and_both_calendars_in_english(election: Election):
    from django.utils import translation

    assert election.polling_date_jalali == "۱۱ اردیبهشت ۱۴۰۵"
    with translation.override("fa"):
        assert election.polling_date_display == "۱۱ اردیبهشت ۱۴۰۵"  # no Gregorian date on a Persian page
    with translation.override("en"):
        assert "2026-05-01" in election.polling_date_display


def test_only_the_demo_election_can_be_removed_whole(election: Election):
    from entekhab.domain.lifecycle import TransitionRefused
    from entekhab.hq.demo.replace import remove_demo_election

    other = Election.objects.create(code="1406", name_fa="دیگر", name_en="other", polling_date=election.polling_date)
    with pytest.raises(TransitionRefused) as caught:
        remove_demo_election("1406")
    assert caught.value.code == "not_the_demo"
    assert Election.objects.filter(pk=other.pk).exists()


def test_persian_names_are_written_with_persian_digits(election: Election):
    """Area, venue, meeting and class names are Persian text; codes (C01-T02…) stay Latin."""
    import re

    from entekhab.hq.geography.models import Area
    from entekhab.hq.operations.models import Meeting, TrainingClass

    latin = re.compile(r"[0-9]")
    names = [*Area.objects.values_list("name_fa", flat=True),
             *election.branches.values_list("venue_name", flat=True),
             *Meeting.objects.values_list("resolutions", flat=True),
             *TrainingClass.objects.values_list("place", flat=True)]
    assert names and [n for n in names if latin.search(n)] == []
