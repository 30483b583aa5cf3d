"""Every attack on the key ceremony is refused, and the refusal names its place (issue 14).

The audit's attack: unsigned complaints with an empty "revealed" share disqualified every
other guardian, and the joint key became the attacker's own key. Each test below builds
the attack on an honest transcript, using the attacker's own signing key where the
attacker is a guardian, and checks what ``check_transcript`` says and what outcome stands.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto import encoding
from entekhab.crypto.ceremony import (
    Acceptance,
    AnswerMessage,
    CeremonyTranscript,
    ComplaintMessage,
    share_digest,
)
from entekhab.crypto.errors import CeremonyError, RecordError
from entekhab.crypto.group import Scalar, product
from entekhab.crypto.keyceremony import Guardian, check_transcript, outcome_from_transcript, run_ceremony
from entekhab.crypto.proofs import SchnorrProof
from entekhab.i18n import Message
from entekhab.records.signing import SigningKey

from .ceremonies import BASE, BOARDS, guardian_keys, opening
from .strategies import PROPERTY, rng_from

N, K = 5, 3
OP = opening(N, K)
KEYS = guardian_keys(N)


@functools.cache
def honest() -> CeremonyTranscript:
    return run_ceremony(OP, KEYS, BASE, rng_from(b"attacks"))[0]


def _complaint(accuser: int, accused: int, key: SigningKey | None = None) -> ComplaintMessage:
    t = honest()
    sent = next(s for m in t.shares if m.dealer == accused for s in m.shares if s.recipient == accuser)
    c = ComplaintMessage(accuser, accused, share_digest(BASE, accused, sent))
    return c.signed(key or KEYS[accuser - 1], BASE)


def _with_complaints(*complaints: ComplaintMessage) -> CeremonyTranscript:
    return replace(honest(), complaints=complaints)


def _texts(findings: list[tuple[str, Message]]) -> list[tuple[str, str]]:
    """Findings as (location, English text): the tests run with ENTEKHAB_LANG=en."""
    return [(where, str(what)) for where, what in findings]


def _findings(t: CeremonyTranscript) -> list[tuple[str, str]]:
    return _texts(check_transcript(t, OP, BASE))


def _full_key(t: CeremonyTranscript) -> bool:
    joint = outcome_from_transcript(t, OP, BASE)
    return joint.qualified == (1, 2, 3, 4, 5)


def test_forged_and_unsigned_complaints_are_refused_and_name_the_accuser() -> None:
    forged = _complaint(3, 2, key=KEYS[0])  # guardian 1 writes a complaint in guardian 3's name
    unsigned = replace(_complaint(4, 2), signature=b"\x00" * 64)
    t = _with_complaints(forged, unsigned)
    assert _findings(t) == [
        ("round 4 complaint #0, accuser 3, accused 2", "not signed by accuser 3; complaint refused"),
        ("round 4 complaint #1, accuser 4, accused 2", "not signed by accuser 4; complaint refused"),
    ]
    assert _full_key(t)


@pytest.mark.parametrize("accuser", [0, 6, 1000])
def test_accuser_out_of_range_is_refused(accuser: int) -> None:
    c = replace(_complaint(1, 2), accuser=accuser)
    t = _with_complaints(c)
    assert _findings(t) == [(f"round 4 complaint #0, accuser {accuser}, accused 2",
                             f"accuser {accuser} is not a guardian (1..5); complaint refused")]
    assert _full_key(t)


def test_complaint_about_a_share_never_sent_is_refused() -> None:
    c = replace(_complaint(1, 2), share_digest=b"\x11" * 32).signed(KEYS[0], BASE)
    t = _with_complaints(c, replace(_complaint(1, 2), accused=1).signed(KEYS[0], BASE))
    assert _findings(t) == [
        ("round 4 complaint #0, accuser 1, accused 2", "refers to a share guardian 2 never sent; complaint refused"),
        ("round 4 complaint #1, accuser 1, accused 1",
         "accused 1 is not another guardian (1..5); complaint refused"),
    ]
    assert _full_key(t)


def test_an_empty_reveal_cannot_be_written_and_only_the_accused_can_answer() -> None:
    t = _with_complaints(_complaint(1, 2))
    d = t.to_json()
    d["round5_answers"] = [{"accused": 2, "accuser": 1, "share": "", "signature": "00" * 64}]
    with pytest.raises(RecordError, match=r"round5_answers\[0\]"):
        CeremonyTranscript.from_json(d)
    # The accuser answers in the accused's name: refused, and the accused (who did not answer) is out.
    fake = AnswerMessage(2, 1, Scalar(0)).signed(KEYS[0], BASE)
    findings = _findings(replace(t, answers=(fake,)))
    assert findings[0] == ("round 5 answer #0, accused 2, accuser 1", "not signed by the accused guardian 2; ignored")
    assert findings[1] == ("round 5 answer, accused 2, accuser 1",
                           "guardian 2 is disqualified: did not answer the complaint of guardian 1")


def test_complaints_against_every_other_guardian_disqualify_nobody() -> None:
    """The audit's attack on the new ceremony: everyone answers, every complaint is dismissed."""
    attack = [(1, j) for j in range(2, N + 1)]
    t, joint, keys = run_ceremony(OP, KEYS, BASE, rng_from(b"attack"), false_complaints=attack)
    assert len(t.complaints) == len(t.answers) == 4
    assert check_transcript(t, OP, BASE) == []
    assert joint.qualified == (1, 2, 3, 4, 5) and len(keys) == 5
    assert joint.public_key == product(r.coefficients[0] for r in t.reveals)
    assert joint.public_key != t.reveals[0].coefficients[0]
    # If the answers are dropped from the board, the ceremony fails loudly instead.
    dropped = replace(t, answers=(), acceptances=(), qualified=(1,), public_key=t.reveals[0].coefficients[0])
    fatal = [w for w, _ in _findings(dropped) if w.startswith(("outcome", "round 6"))]
    assert fatal == ["outcome", "round 6 acceptance, board 1", "round 6 acceptance, board 2"]
    with pytest.raises(CeremonyError):
        outcome_from_transcript(dropped, OP, BASE)


def test_missing_guardian_is_disqualified_and_needs_every_board() -> None:
    t, joint, _ = run_ceremony(OP, KEYS, BASE, rng_from(b"m"), silent=(4,), board_keys=BOARDS)
    assert joint.qualified == (1, 2, 3, 5)
    assert _findings(t) == [("round 1 commit, guardian 4", "guardian 4 is disqualified: no signed round-1 commit "
                                                             "message")]
    one_board = replace(t, acceptances=t.acceptances[:1])
    assert ("round 6 acceptance, board 2",
            "only 4 of 5 guardians qualified and board 2 has not signed its acceptance") in _findings(one_board)
    with pytest.raises(CeremonyError, match="board 2"):
        outcome_from_transcript(one_board, OP, BASE)
    # A board's signature over another outcome does not count.
    other = Acceptance.sign(BOARDS[1], 2, BASE, (1, 2, 3), joint.public_key)
    assert ("round 6 acceptance #1, board 2", "board 2's signature does not accept this outcome; ignored") in \
        _findings(replace(t, acceptances=(t.acceptances[0], other)))
    with pytest.raises(CeremonyError, match="board"):
        run_ceremony(OP, KEYS, BASE, rng_from(b"m"), silent=(4,), board_keys=BOARDS[:1])


def test_too_few_qualified_fails_the_ceremony() -> None:
    with pytest.raises(CeremonyError, match="quorum"):
        run_ceremony(OP, KEYS, BASE, rng_from(b"few"), silent=(3, 4, 5), board_keys=BOARDS)


def test_reveal_that_does_not_match_its_commitment_is_disqualified() -> None:
    """Grinding: the last dealer picks a new polynomial after seeing the others' reveals."""
    t = honest()
    grinder = Guardian(5, OP, KEYS[4], BASE, rng_from(b"another polynomial"))
    t = replace(t, reveals=(*t.reveals[:4], grinder.reveal()))
    assert _findings(t)[0] == ("round 2 reveal, guardian 5",
                               "guardian 5 is disqualified: the reveal does not match its round-1 commitment")


def test_bad_proof_on_a_nonzero_coefficient_is_disqualified() -> None:
    t = honest()
    r = t.reveals[1]
    wrong = SchnorrProof(r.proofs[2].challenge, r.proofs[2].response + Scalar(1))
    bad = replace(r, proofs=(*r.proofs[:2], wrong)).signed(KEYS[1], BASE)
    findings = _findings(replace(t, reveals=(t.reveals[0], bad, *t.reveals[2:])))
    assert findings[0] == ("round 2 reveal, guardian 2, coefficient 2",
                           "guardian 2 is disqualified: the proof of knowledge of coefficient 2 fails")
    # A proof moved from another coefficient (or guardian) fails too: the context binds j and the guardian.
    moved = replace(r, proofs=(r.proofs[0], r.proofs[0], r.proofs[2])).signed(KEYS[1], BASE)
    assert _findings(replace(t, reveals=(t.reveals[0], moved, *t.reveals[2:])))[0][0] == (
        "round 2 reveal, guardian 2, coefficient 1")


def test_wrong_number_of_coefficients_is_disqualified() -> None:
    t = honest()
    r = t.reveals[2]
    short = replace(r, coefficients=r.coefficients[:2], proofs=r.proofs[:2]).signed(KEYS[2], BASE)
    assert _findings(replace(t, reveals=(*t.reveals[:2], short, *t.reveals[3:])))[0] == (
        "round 2 reveal, guardian 3", "guardian 3 is disqualified: 2 commitments and 2 proofs, the quorum is 3")


def test_two_different_signed_commitments_disqualify_their_author() -> None:
    t = honest()
    other = Guardian(2, OP, KEYS[1], BASE, rng_from(b"twice")).commit()
    assert _findings(replace(t, commits=(*t.commits, other)))[0] == (
        "round 1 commit, guardian 2", "guardian 2 is disqualified: signed two different round-1 commit messages")


def test_forged_message_in_a_guardians_name_does_not_harm_it() -> None:
    t = honest()
    forged = Guardian(2, OP, KEYS[1], BASE, rng_from(b"x")).commit().signed(KEYS[0], BASE)
    t = replace(t, commits=(*t.commits, forged))
    assert _findings(t) == [("round 1 commit #5, guardian 2", "not signed by guardian 2's key in the opening; ignored")]
    assert _full_key(t)


def test_unanswered_complaint_disqualifies_the_dealer() -> None:
    bad = rng_from(b"bad").scalar()
    t, joint, _ = run_ceremony(OP, KEYS, BASE, rng_from(b"u"), tamper={(2, 4): bad}, silent=[(2, 5)],
                               board_keys=BOARDS)
    assert joint.qualified == (1, 3, 4, 5)
    assert _findings(t) == [("round 5 answer, accused 2, accuser 4",
                             "guardian 2 is disqualified: did not answer the complaint of guardian 4")]


def test_shares_missing_a_recipient_disqualify_the_dealer() -> None:
    t = honest()
    m = t.shares[0]
    short = replace(m, shares=m.shares[1:]).signed(KEYS[0], BASE)
    assert _findings(replace(t, shares=(short, *t.shares[1:])))[0] == (
        "round 3 shares, dealer 1", "guardian 1 is disqualified: shares for recipients [3, 4, 5], expected "
                                    "[2, 3, 4, 5] (each other guardian once, in order)")


def test_claimed_outcome_must_be_the_derived_one() -> None:
    t = honest()
    assert ("outcome qualified", "the transcript claims qualified [1, 2, 3], the messages give [1, 2, 3, 4, 5]") in \
        _findings(replace(t, qualified=(1, 2, 3)))
    assert _findings(replace(t, public_key=t.reveals[0].coefficients[0])) == [
        ("outcome public_key", "the joint key is not the product of the qualified guardians' g^a0")]
    assert _findings(t) == []
    assert check_transcript(t, OP, b"f" * 32)  # another election's base: every signature fails


# ---- any single change to the transcript's JSON is caught -----------------------------------


@functools.cache
def rich() -> tuple[Any, list[tuple[str, str]]]:
    """A transcript using every round: a silent guardian, complaints answered, two acceptances."""
    op = opening(4, 2)
    t, _, _ = run_ceremony(op, guardian_keys(4), BASE, rng_from(b"rich"), silent=(4,), false_complaints=[(1, 2)],
                           tamper={(3, 1): rng_from(b"t").scalar()}, board_keys=BOARDS)
    return t.to_json(), _texts(check_transcript(t, op, BASE))


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] + [path]
    return [path]


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        value = value[p]
    return value


def _caught(d: Any) -> bool:
    try:
        t = CeremonyTranscript.from_json(encoding.loads(encoding.dumps(d)))
    except RecordError:
        return True
    return _texts(check_transcript(t, opening(4, 2), BASE)) != rich()[1]


HEX = "0123456789abcdef"


@PROPERTY
@given(st.data())
def test_any_single_field_change_of_the_transcript_is_caught(data: st.DataObject) -> None:
    original, _ = rich()
    d = encoding.loads(encoding.dumps(original))
    path = data.draw(st.sampled_from(_leaves(d)))
    parent, key = (_get(d, path[:-1]), path[-1]) if path else (None, None)
    value = _get(d, path)
    if isinstance(value, list):
        if not value:
            return
        i = data.draw(st.integers(0, len(value) - 1))
        if data.draw(st.booleans()):
            del value[i]
        else:
            value.insert(i, value[i])
    elif isinstance(value, int):
        parent[key] = value + data.draw(st.sampled_from([-2, -1, 1, 2, 1000]))
    else:
        assert isinstance(value, str)
        i = data.draw(st.integers(0, len(value) - 1))
        c = data.draw(st.sampled_from([h for h in HEX if h != value[i]]))
        parent[key] = value[:i] + c + value[i + 1:]
    assert d != original
    assert _caught(d), path
