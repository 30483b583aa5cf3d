from __future__ import annotations

from entekhab.hq.elections.ballot_styles import assign_ballot_styles, check_ballot_styles
from entekhab.hq.elections.models import Branch, Contest
from entekhab.hq.geography.models import Area


def test_uncovered_and_double_covered_branches_are_all_reported_and_nothing_changes(election):
    before = dict(Branch.objects.filter(election=election).values_list("id", "ballot_style_id"))
    lonely = Area.objects.create(code="P99", kind="province", name_fa="استان آزمایشی", name_en="Test Province")
    Branch.objects.create(election=election, number=99_001, code="LONELY-1", area=lonely, venue_type="school")
    tehran = Area.objects.get(code="P23-C01-T01")
    Contest.objects.create(election=election, code="council-dup", office="city_council", method="plurality",
                           area=tehran, name_fa="تکراری", name_en="duplicate", seats=5)
    problems = assign_ballot_styles(election)
    text = [str(p) for p in problems]
    assert "branches[LONELY-1]: no contest covers this branch's area" in text
    assert any(t.startswith("branches[C01-T01-R01-0001]: 2 contests for one office city_council") for t in text)
    after = dict(Branch.objects.filter(election=election).exclude(code="LONELY-1").values_list("id", "ballot_style_id"))
    assert after == before
    assert any("has no ballot style" in str(p) for p in check_ballot_styles(election))
