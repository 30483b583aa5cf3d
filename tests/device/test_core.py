"""The device agent's pure parts: journal chain, signatures, cards, adapters, manifest, tally and QR transport."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, Ineligibility, eligibility, sample_people
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.errors import JournalBroken
from entekhab.device.journal import Journal
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.records.canonical import canonical_json
from entekhab.records.card import coarse_hour, issue_card, read_card
from entekhab.records.errors import CardInvalid, ManifestInvalid, ReportInvalid, SignatureInvalid
from entekhab.records.manifest import parse_signed_manifest, sign_manifest
from entekhab.records.report import join_qr_payloads, qr_payloads, sign_report, tally, verify_report
from entekhab.records.signing import SigningKey, verify_document

DAY = dt.date(2026, 5, 1)
NOW = dt.datetime(2026, 5, 1, 9, 41, tzinfo=dt.UTC)


def test_journal_is_a_chain_that_refuses_edits_and_detects_them(tmp_path):
    journal = Journal(tmp_path / "j.db")
    for i in range(5):
        journal.append("event", {"i": i})
    journal.verify()
    with pytest.raises(sqlite3.DatabaseError):
        journal.db.execute("UPDATE journal SET body = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError):
        journal.db.execute("DELETE FROM journal WHERE seq = 5")
    # Someone with the file drops the triggers and edits: verify names the entry.
    journal.db.execute("DROP TRIGGER journal_no_update")
    journal.db.execute("""UPDATE journal SET body = '{"i":99}' WHERE seq = 3""")
    with pytest.raises(JournalBroken, match="entry 3"):
        journal.verify()
    journal.db.execute("DROP TRIGGER journal_no_delete")
    journal.db.execute("DELETE FROM journal WHERE seq = 3")
    with pytest.raises(JournalBroken, match="entry 3"):
        journal.verify()


def test_canonical_json_is_stable_and_refuses_floats():
    assert canonical_json({"b": 1, "a": "ي"}) == canonical_json({"a": "ي", "b": 1})
    assert canonical_json({"x": "é"}) == canonical_json({"x": "e\u0301"})  # NFC
    with pytest.raises(ValueError):
        canonical_json({"x": 0.5})


# NUL and lone surrogates are refused by canonical JSON (tests/records).
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(TEXT, st.integers(-(2**53) + 1, 2**53 - 1) | TEXT, max_size=5))
def test_any_change_to_a_signed_document_breaks_the_signature(doc):
    key = SigningKey.from_seed(b"\x01" * 32)
    signature = key.sign_document(doc)
    verify_document(key.public_key, doc, signature)
    with pytest.raises(SignatureInvalid):
        verify_document(key.public_key, {**doc, "extra": 1}, signature)
    with pytest.raises(SignatureInvalid):
        verify_document(SigningKey.from_seed(b"\x02" * 32).public_key, doc, signature)


def test_cards_carry_no_identity_and_are_verified():
    key = SigningKey.generate()
    token = issue_card(election="1405", branch="B1", style="S", issuer="A1", key=key, now=NOW)
    card = read_card(token, key.public_key)
    assert set(card.document()) == {"election", "fingerprint", "branch", "style", "nonce", "hour", "issuer"}
    assert card.hour == coarse_hour(NOW) == "2026-05-01T09"
    assert read_card(issue_card(election="1405", branch="B1", style="S", issuer="A1", key=key, now=NOW),
                     key.public_key).nonce != card.nonce
    with pytest.raises(CardInvalid) as forged:
        read_card(token, SigningKey.generate().public_key)
    assert forged.value.code == "card_forged"
    for junk in ("", "abc", "a.b.c", 17, "eyJ9.00"):
        with pytest.raises(CardInvalid):
            read_card(junk, key.public_key)


def test_demo_registry_is_deterministic_and_judges_age_on_polling_day():
    registry = DemoCivilRegistry(seed=3)
    people = sample_people(registry, 200, DAY, seed=1)
    assert people == sample_people(DemoCivilRegistry(seed=3), 200, DAY, seed=1)
    assert all(eligibility(registry, p, DAY).eligible for p in people)
    minors = sample_people(registry, 50, DAY, seed=2, eligible=False)
    reasons = {eligibility(registry, p, DAY).refusal for p in minors}
    assert reasons <= {Ineligibility.UNDER_AGE, Ineligibility.DECEASED} and Ineligibility.UNDER_AGE in reasons
    # The boundary: born on polling day 18 years earlier is eligible, one day later is not.

    class Fixed:
        def __init__(self, birth):
            self.birth = birth

        def lookup(self, code):
            from entekhab.device.adapters.civil_registry import Person

            return Person(code, self.birth, True)

    assert eligibility(Fixed(dt.date(2008, 5, 1)), people[0], DAY).eligible
    assert not eligibility(Fixed(dt.date(2008, 5, 2)), people[0], DAY).eligible


def test_demo_fingerprint_reader_has_realistic_rates_and_repeats_itself():
    reader = DemoFingerprintReader(seed=9)
    people = sample_people(DemoCivilRegistry(), 2000, DAY, seed=4)
    first = [reader.scan(p, 1) for p in people]
    assert first == [reader.scan(p, 1) for p in people]
    rate = sum(s.matched for s in first) / len(first)
    assert 0.85 < rate < 0.95
    assert all(1.2 <= s.seconds <= 3.5 for s in first)
    never = sum(not any(reader.scan(p, a).matched for a in range(1, 5)) for p in people)
    assert 0 < never < 60  # a few people need the branch head's manual release


def manifest_pair():
    key = SigningKey.from_seed(b"\x07" * 32)
    doc = synthetic_manifest("1405", "S-1", [ContestSpec("tehran", "شورای تهران", "Tehran council", 21, True),
                                             ContestSpec("experts", "خبرگان", "Experts", 1, False)])
    return key, sign_manifest(doc, key)


def test_manifest_loads_only_when_hash_and_signature_match():
    key, signed = manifest_pair()
    manifest = parse_signed_manifest(signed, key.public_key)
    assert manifest.style == "S-1" and manifest.election == "1405"
    assert [c.code for c in manifest.contests] == ["experts", "tehran"]
    with pytest.raises(ManifestInvalid):
        parse_signed_manifest(signed, SigningKey.generate().public_key)
    broken = {**signed, "manifest": {**signed["manifest"], "ballot_style": "S-2"}}
    with pytest.raises(ManifestInvalid):
        parse_signed_manifest(broken, key.public_key)
    with pytest.raises(ManifestInvalid):
        parse_signed_manifest({"manifest": "x"}, key.public_key)


def test_report_tally_signature_and_qr_round_trip():
    key, signed = manifest_pair()
    manifest = parse_signed_manifest(signed, key.public_key)
    tehran = manifest.contest("tehran")
    list_code = next(c for c, v in tehran.names.items() if v["kind"] == "list")
    people = sorted(c for c, v in tehran.names.items() if v["kind"] == "candidate")
    records = [{"style": "S-1", "contests": {"tehran": [list_code], "experts": []}},
               {"style": "S-1", "contests": {"tehran": people[:3], "experts": ["1001"]}}]
    ballots, contests = tally(manifest, records)
    by = {c["code"]: c for c in contests}
    assert ballots == 2 and by["tehran"]["lists"] == {list_code: 1}
    assert by["tehran"]["candidate_votes"] == 21 + 3 and by["experts"]["blank"] == 1
    device = SigningKey.generate()
    from entekhab.records.cvr import records_digest
    from entekhab.records.report import REPORT_TYPE

    report = sign_report({"type": REPORT_TYPE, "kind": "final", "election": "1405", "branch": "B1", "style": "S-1",
                          "device_key": device.public_hex, "ballots": ballots,
                          "contests": contests, "manifest_sha256": manifest.sha256,
                          "records_sha256": records_digest(records)}, device)
    verify_report(report.document(), manifest=manifest, records=records)
    texts = qr_payloads(report, chunk=200)
    assert len(texts) > 1
    assert join_qr_payloads(reversed(texts)) == report.document()
    with pytest.raises(ReportInvalid):
        join_qr_payloads(texts[1:])
    with pytest.raises(ReportInvalid):
        verify_report(report.document(), manifest=manifest, records=records[:1])
    forged = {**report.document(), "report": {**report.report, "ballots": 3}}
    with pytest.raises(ReportInvalid):
        verify_report(forged)
