"""Fewer than k guardians cannot decrypt; any k can; the ceremony's documents read back exactly."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto import encoding
from entekhab.crypto.ceremony import CeremonyOpening, CeremonyTranscript
from entekhab.crypto.decryption import DecryptionShare, combine, lagrange_at_zero, make_share
from entekhab.crypto.elgamal import DecodingTable, encrypt
from entekhab.crypto.errors import CeremonyError, CryptoError, ProofError, RecordError
from entekhab.crypto.group import Element, product
from entekhab.crypto.keyceremony import (
    Guardian,
    JointKey,
    check_transcript,
    outcome_from_transcript,
    run_ceremony,
)
from entekhab.crypto.shuffle import Row

from .ceremonies import BASE, BOARDS, guardian_keys, opening
from .strategies import PROPERTY, other_element, rng_from, seeds

TABLE = DecodingTable(64)


def _row(messages: list[int], joint: JointKey, seed: bytes) -> Row:
    rng = rng_from(seed)
    out: list[bytes] = []
    for m in messages:
        c = encrypt(m, joint.public_key, rng.scalar(), TABLE)
        out += [c.alpha.b, c.beta.b]
    return tuple(out)


def _decrypts(keys: list, joint: JointKey, messages: list[int], seed: bytes) -> None:
    row = _row(messages, joint, seed)
    k = joint.quorum
    for group in combinations(keys, k):
        shares = [make_share(g, row, BASE) for g in group]
        for s in shares:
            s.verify(joint.verification_key(s.guardian), row, BASE)
        assert [TABLE.decode(Element.trusted(x)) for x in combine(row, shares, k)] == messages
    if k > 1:
        few = [make_share(g, row, BASE) for g in keys[: k - 1]]
        with pytest.raises(CeremonyError):
            combine(row, few, k)
        # Interpolating over k-1 shares (as if the quorum were k-1) gives garbage.
        assert [TABLE.decode_or(Element.trusted(x), -1) for x in combine(row, few, k - 1)] != messages


@PROPERTY
@given(seeds, st.integers(1, 5), st.data())
def test_any_quorum_decrypts_and_fewer_cannot(seed: bytes, n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, n))
    op = opening(n, k)
    transcript, joint, keys = run_ceremony(op, guardian_keys(n), BASE, rng_from(seed))
    assert check_transcript(transcript, op, BASE) == []
    assert joint.qualified == tuple(range(1, n + 1)) and transcript.acceptances == ()
    _decrypts(keys, joint, [data.draw(st.integers(0, 63)) for _ in range(2)], seed)


@pytest.mark.parametrize(("n", "k"), [(5, 3), (1, 1)])
def test_honest_ceremony(n: int, k: int) -> None:
    op = opening(n, k)
    transcript, joint, keys = run_ceremony(op, guardian_keys(n), BASE, rng_from(b"honest"))
    assert check_transcript(transcript, op, BASE) == []
    again = outcome_from_transcript(transcript, op, BASE)
    assert (again.qualified, again.public_key) == (joint.qualified, joint.public_key) == (
        tuple(range(1, n + 1)), product(transcript.reveals[i].coefficients[0] for i in range(n)))
    assert [key.verification_key for key in keys] == [joint.verification_key(i) for i in range(1, n + 1)]
    assert len(transcript.complaints) == len(transcript.answers) == 0
    _decrypts(keys, joint, [5, 17], b"m")


def test_guardians_as_separate_parties_exchanging_json() -> None:
    """Each guardian sees only the board's JSON (as files between processes would carry it)."""
    n, k = 4, 2
    op = opening(n, k)
    guardians = [Guardian(i, op, key, BASE, rng_from(bytes([i]))) for i, key in enumerate(guardian_keys(n), 1)]

    def board(t: CeremonyTranscript) -> CeremonyTranscript:
        return CeremonyTranscript.from_json(encoding.loads(encoding.dumps(t.to_json())))

    t = CeremonyTranscript(commits=tuple(g.commit() for g in guardians))
    t = board(replace(t, reveals=tuple(g.reveal() for g in guardians)))
    t = board(replace(t, shares=tuple(g.deal(board(t)) for g in guardians)))
    t = board(replace(t, complaints=tuple(c for g in guardians for c in g.complain(t))))
    t = board(replace(t, answers=tuple(a for g in guardians for a in g.answer(t))))
    keys = [g.key(t) for g in guardians]
    t = replace(t, qualified=(1, 2, 3, 4), public_key=product(g.commitments[0] for g in guardians))
    joint = outcome_from_transcript(t, op, BASE)
    _decrypts(keys, joint, [9], b"sep")


def test_cheating_decryption_share_is_caught() -> None:
    _, joint, keys = run_ceremony(opening(5, 3), guardian_keys(5), BASE, rng_from(b"cheat"))
    row = _row([7, 9], joint, b"row")
    honest = make_share(keys[1], row, BASE)
    forged = DecryptionShare(
        honest.guardian, (other_element(honest.values[0], rng_from(b"x")), honest.values[1]), honest.proof
    )
    with pytest.raises(ProofError):
        forged.verify(joint.verification_key(2), row, BASE)
    stolen = make_share(keys[0], row, BASE)
    with pytest.raises(ProofError):
        DecryptionShare(2, stolen.values, stolen.proof).verify(joint.verification_key(2), row, BASE)


def test_lagrange_coefficients_interpolate_at_zero() -> None:
    def f(x: int) -> int:
        return 5 + 3 * x + 2 * x * x

    for group in combinations([1, 2, 3, 4, 5], 3):
        total = sum(f(i) * lagrange_at_zero(i, group) for i in group)
        assert total % (2**252 + 27742317777372353535851937790883648493) == 5


def test_complaint_dismissed_when_dealer_reveals_a_good_share() -> None:
    bad = rng_from(b"bad").scalar()
    op = opening(5, 3)
    transcript, joint, keys = run_ceremony(op, guardian_keys(5), BASE, rng_from(b"dkg"), tamper={(2, 4): bad})
    assert [(c.accuser, c.accused) for c in transcript.complaints] == [(4, 2)]
    assert [(a.accused, a.accuser) for a in transcript.answers] == [(2, 4)]
    assert joint.qualified == (1, 2, 3, 4, 5)
    assert check_transcript(transcript, op, BASE) == []
    row = _row([3], joint, b"r")
    shares = [make_share(k, row, BASE) for k in (keys[3], keys[0], keys[4])]
    assert TABLE.decode(Element.trusted(combine(row, shares, 3)[0])) == 3


def test_cheating_dealer_bad_share_and_bad_answer_is_named_and_key_still_works() -> None:
    bad = rng_from(b"bad").scalar()
    op = opening(5, 3)
    transcript, joint, keys = run_ceremony(
        op, guardian_keys(5), BASE, rng_from(b"dkg"), tamper={(2, 4): bad}, honest_reveal=(), board_keys=BOARDS
    )
    assert joint.qualified == (1, 3, 4, 5)
    assert [k.guardian for k in keys] == [1, 3, 4, 5]
    assert joint.public_key == product(transcript.reveals[i - 1].coefficients[0] for i in (1, 3, 4, 5))
    assert [(where, str(what)) for where, what in check_transcript(transcript, op, BASE)] == [
        ("round 5 answer, accused 2, accuser 4",
         "guardian 2 is disqualified: the share revealed for guardian 4 does not match its commitments")
    ]
    with pytest.raises(CeremonyError):
        joint.verification_key(2)
    row = _row([11], joint, b"r")
    shares = [make_share(k, row, BASE) for k in (keys[0], keys[2], keys[3])]
    assert TABLE.decode(Element.trusted(combine(row, shares, 3)[0])) == 11


def test_quorum_parameters_validated() -> None:
    keys = tuple(k.public_key for k in guardian_keys(3))
    for n, k in ((3, 4), (3, 0), (0, 0), (True, 1)):
        with pytest.raises(CeremonyError):
            CeremonyOpening(n, k, keys[:n] if isinstance(n, int) else keys, ())
    with pytest.raises(CeremonyError):
        CeremonyOpening(3, 2, keys[:2], ())
    with pytest.raises(CeremonyError):
        CeremonyOpening(3, 2, (keys[0], keys[0], keys[1]), ())


def test_guardian_refuses_a_key_not_in_the_opening() -> None:
    with pytest.raises(CeremonyError):
        Guardian(1, opening(3, 2), guardian_keys(3)[1], BASE)
    with pytest.raises(CeremonyError):
        run_ceremony(opening(3, 2), guardian_keys(2), BASE)


def test_opening_json_is_exact_and_strict() -> None:
    op = opening(3, 2)
    text = encoding.dumps(op.to_json())
    assert CeremonyOpening.from_json(encoding.loads(text)) == op
    d = op.to_json()
    for change in (
        {"quorum": 4},
        {"quorum": True},
        {"guardian_keys": {"1": "00" * 32, "2": "11" * 32}},
        {"guardian_keys": {**d["guardian_keys"], "4": "22" * 32}},  # type: ignore[dict-item]
        {"board_keys": ["AB" * 32]},
        {"kind": "entekhab-ceremony-opening/2"},
        {"extra": 1},
    ):
        with pytest.raises(CryptoError):
            CeremonyOpening.from_json({**d, **change})


def test_transcript_json_round_trips_exactly() -> None:
    op = opening(4, 2)
    transcript, _, _ = run_ceremony(
        op, guardian_keys(4), BASE, rng_from(b"json"), silent=(4,), false_complaints=[(1, 2)], board_keys=BOARDS
    )
    text = encoding.dumps(transcript.to_json())
    back = CeremonyTranscript.from_json(encoding.loads(text))
    assert back == transcript and encoding.dumps(back.to_json()) == text
    assert len(back.complaints) == len(back.answers) == 1 and len(back.acceptances) == 2
    with pytest.raises(RecordError, match="round3_shares"):
        d = transcript.to_json()
        d["round3_shares"][0]["dealer"] = -1  # type: ignore[index]
        CeremonyTranscript.from_json(d)


def test_guardian_silent_from_round_4_still_holds_its_key() -> None:
    """Complaints and answers are only owed when there is something to dispute."""
    op = opening(4, 2)
    t, joint, keys = run_ceremony(op, guardian_keys(4), BASE, rng_from(b"quiet"), silent=[(3, 4)])
    assert check_transcript(t, op, BASE) == [] and joint.qualified == (1, 2, 3, 4)
    _decrypts(keys, joint, [1, 2], b"q")
