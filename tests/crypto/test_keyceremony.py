"""Fewer than k guardians cannot decrypt; any k can; cheating is caught."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto.decryption import DecryptionShare, combine, lagrange_at_zero, make_share
from entekhab.crypto.elgamal import DecodingTable, encrypt
from entekhab.crypto.errors import CeremonyError, ProofError
from entekhab.crypto.group import Element, g_pow, product
from entekhab.crypto.keyceremony import JointKey, check_joint_key, run_ceremony
from entekhab.crypto.shuffle import Row

from .strategies import PROPERTY, other_element, rng_from, seeds

ELECTION = b"e" * 32
TABLE = DecodingTable(64)


def _row(messages: list[int], joint: JointKey, seed: bytes) -> Row:
    rng = rng_from(seed)
    out: list[bytes] = []
    for m in messages:
        c = encrypt(m, joint.public_key, rng.scalar(), TABLE)
        out += [c.alpha.b, c.beta.b]
    return tuple(out)


@PROPERTY
@given(seeds, st.integers(2, 5), st.data())
def test_any_quorum_decrypts_and_fewer_cannot(seed: bytes, n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, n))
    joint, keys = run_ceremony(n, k, ELECTION, rng_from(seed))
    assert check_joint_key(joint, ELECTION) == []
    messages = [data.draw(st.integers(0, 63)) for _ in range(2)]
    row = _row(messages, joint, seed)
    for group in combinations(keys, k):
        shares = [make_share(g, row, ELECTION) for g in group]
        for s in shares:
            s.verify(joint.verification_key(s.guardian), row, ELECTION)
        assert [TABLE.decode(Element.trusted(x)) for x in combine(row, shares, k)] == messages
    if k > 1:
        few = [make_share(g, row, ELECTION) for g in keys[: k - 1]]
        with pytest.raises(CeremonyError):
            combine(row, few, k)
        # Interpolating over k-1 shares (as if the quorum were k-1) gives garbage.
        assert [TABLE.decode_or(Element.trusted(x), -1) for x in combine(row, few, k - 1)] != messages


def test_cheating_guardian_share_is_caught() -> None:
    joint, keys = run_ceremony(5, 3, ELECTION, rng_from(b"cheat"))
    row = _row([7, 9], joint, b"row")
    honest = make_share(keys[1], row, ELECTION)
    # A wrong value with the honest proof.
    forged = DecryptionShare(
        honest.guardian, (other_element(honest.values[0], rng_from(b"x")), honest.values[1]), honest.proof
    )
    with pytest.raises(ProofError):
        forged.verify(joint.verification_key(2), row, ELECTION)
    # A guardian using another guardian's secret.
    stolen = make_share(keys[0], row, ELECTION)
    relabelled = DecryptionShare(2, stolen.values, stolen.proof)
    with pytest.raises(ProofError):
        relabelled.verify(joint.verification_key(2), row, ELECTION)


def test_lagrange_coefficients_interpolate_at_zero() -> None:
    # f(x) = 5 + 3x + 2x²; any three points give f(0).
    def f(x: int) -> int:
        return 5 + 3 * x + 2 * x * x

    for group in combinations([1, 2, 3, 4, 5], 3):
        total = sum(f(i) * lagrange_at_zero(i, group) for i in group)
        assert total % (2**252 + 27742317777372353535851937790883648493) == 5


def test_complaint_dismissed_when_dealer_reveals_a_good_share() -> None:
    bad = rng_from(b"bad").scalar()
    joint, keys = run_ceremony(5, 3, ELECTION, rng_from(b"dkg"), tamper={(2, 4): bad}, honest_reveal=(2,))
    assert [(c.accuser, c.accused, c.upheld) for c in joint.complaints] == [(4, 2, False)]
    assert joint.qualified == (1, 2, 3, 4, 5)
    assert check_joint_key(joint, ELECTION) == []
    row = _row([3], joint, b"r")
    shares = [make_share(k, row, ELECTION) for k in (keys[3], keys[0], keys[4])]
    assert TABLE.decode(Element.trusted(combine(row, shares, 3)[0])) == 3


def test_complaint_upheld_disqualifies_dealer_and_key_still_works() -> None:
    bad = rng_from(b"bad").scalar()
    joint, keys = run_ceremony(5, 3, ELECTION, rng_from(b"dkg"), tamper={(2, 4): bad})
    assert [(c.accuser, c.accused, c.upheld) for c in joint.complaints] == [(4, 2, True)]
    assert joint.qualified == (1, 3, 4, 5)
    assert joint.public_key == product(joint.commitments[i - 1].public_key for i in (1, 3, 4, 5))
    assert check_joint_key(joint, ELECTION) == []
    row = _row([11], joint, b"r")
    shares = [make_share(k, row, ELECTION) for k in (keys[1], keys[3], keys[4])]
    assert TABLE.decode(Element.trusted(combine(row, shares, 3)[0])) == 11


def test_published_outcome_inconsistencies_are_found() -> None:
    bad = rng_from(b"bad").scalar()
    joint, _ = run_ceremony(5, 3, ELECTION, rng_from(b"dkg"), tamper={(2, 4): bad})
    forged = JointKey(5, 3, joint.commitments, joint.complaints, (1, 2, 3, 4, 5), joint.public_key)
    assert any("qualified" in p for p in check_joint_key(forged, ELECTION))
    wrong_key = JointKey(5, 3, joint.commitments, joint.complaints, joint.qualified, g_pow(5))
    assert any("joint public key" in p for p in check_joint_key(wrong_key, ELECTION))
    assert any("proof of possession" in p for p in check_joint_key(joint, b"f" * 32))


def test_quorum_parameters_validated() -> None:
    with pytest.raises(CeremonyError):
        run_ceremony(3, 4, ELECTION)
    with pytest.raises(CeremonyError):
        run_ceremony(3, 0, ELECTION)
