"""The pure side of "ballots ≤ accepted check-ins": which branches exceed, and the refusal naming them."""

from __future__ import annotations

import pytest

from entekhab.publication.certification import CertificationRefused, check_excess, excess_reason
from entekhab.publication.totals import BallotExcess, ballot_excess


def test_only_branches_with_more_ballots_than_check_ins_are_named_in_branch_order():
    found = ballot_excess("council-tehran", {"B2": 2174, "B1": 10, "B3": 5}, {"B1": 10, "B2": 2171})
    assert found == (BallotExcess("council-tehran", "B2", 2174, 2171), BallotExcess("council-tehran", "B3", 5, 0))
    assert found[0].excess == 3


def test_the_refusal_names_branch_and_counts_in_both_languages():
    check_excess([])  # nothing to explain: no refusal
    excess = BallotExcess("council-tehran", "C01-0007", 2174, 2171)
    with pytest.raises(CertificationRefused) as refused:
        check_excess([excess])
    assert refused.value.code == "excess_ballots"
    assert "C01-0007: 2174 ballots but 2171 accepted check-ins (3 more)" in refused.value.message_en
    assert "۲۱۷۴" in refused.value.message_fa and "۲۱۷۱" in refused.value.message_fa
    assert excess_reason(excess)[1].startswith("شعبه C01-0007")
