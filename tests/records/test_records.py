"""The records core: canonical bytes, golden bytes, round trips, and refusal of every changed byte."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.records.canonical import MAX_DEPTH, canonical_json, loads, loads_canonical, sha256_hex
from entekhab.records.card import BallotCard, issue_card, read_card
from entekhab.records.cvr import CastVoteRecord, canonical_order, in_canonical_order, records_digest
from entekhab.records.election import ContestDefinition, ElectionDefinition
from entekhab.records.errors import CanonicalError, CardInvalid, ManifestInvalid, RecordError, ReportInvalid
from entekhab.records.manifest import parse_signed_manifest, sign_manifest, validate_document
from entekhab.records.messages import Envelope
from entekhab.records.report import REPORT_TYPE, join_qr_payloads, qr_payloads, sign_report, tally, verify_report
from entekhab.records.signing import SigningKey, verify_document

GOLDEN = Path(__file__).parent / "golden"
KEY = SigningKey(bytes(range(32)))
NOW = dt.datetime(2026, 5, 1, 9, 41, tzinfo=dt.UTC)


def manifest_doc() -> dict:
    return synthetic_manifest("1405", "S-1", [ContestSpec("tehran", "شورای تهران", "Tehran council", 5, True),
                                              ContestSpec("experts", "خبرگان", "Experts", 1, False)])


def definition() -> ElectionDefinition:
    signed = sign_manifest(manifest_doc(), KEY)
    return ElectionDefinition.make("1405", [ContestDefinition("tehran", "proportional-list", 5, "T"),
                                            ContestDefinition("experts", "plurality", 1, "P")], [signed["sha256"]])


def report_of(records: list[dict]) -> dict:
    manifest = parse_signed_manifest(sign_manifest(manifest_doc(), KEY), KEY.public_key)
    ballots, contests = tally(manifest, records)
    return sign_report({"type": REPORT_TYPE, "version": 1, "kind": "final", "source": "electronic",
                        "election": "1405", "election_fingerprint": definition().fingerprint, "branch": "B1",
                        "style": "S-1", "manifest_sha256": manifest.sha256, "device": "EB-1",
                        "device_key": KEY.public_hex, "hour": "2026-05-01T18", "ballots": ballots,
                        "contests": contests, "records_sha256": records_digest(records)}, KEY).document()


def records() -> list[dict]:
    fp = definition().fingerprint
    ballots = [{"tehran": ["101"], "experts": []}, {"tehran": ["1006", "1007"], "experts": ["۱۰۰۱"]}]
    return canonical_order(CastVoteRecord.make(fp, "S-1", b).document() for b in ballots)


# -- canonical JSON ------------------------------------------------------------------------

def test_canonical_json_is_rfc8785_with_nfc_text():
    assert canonical_json({"b": [1, "x"], "a": None, "é": True}) == '{"a":null,"b":[1,"x"],"é":true}'.encode()
    assert canonical_json({"x": "e\u0301"}) == canonical_json({"x": "\u00e9"})
    assert canonical_json({"\u20ac": 1, "\r": 2}) == b'{"\\r":2,"\xe2\x82\xac":1}'  # UTF-16 key order, RFC 8785 §3.2.3


@pytest.mark.parametrize(("value", "code"), [
    ({"x": 0.5}, "float_refused"), ([float("nan")], "float_refused"), ({"x": float("inf")}, "float_refused"),
    ({"x": 2**53}, "integer_out_of_range"), ({1: 2}, "bad_key"), ({"x": "a\x00b"}, "nul_refused"),
    ({"x": "\ud800"}, "bad_text"), ({"x": b"raw"}, "not_json"),
])
def test_canonical_json_refuses_what_a_record_never_holds(value, code):
    with pytest.raises(CanonicalError) as refused:
        canonical_json(value)
    assert refused.value.code == code and refused.value.path.startswith("$")


@pytest.mark.parametrize(("raw", "code"), [
    (b'{"a":1.5}', "float_refused"), (b"[NaN]", "float_refused"), (b"[-Infinity]", "float_refused"),
    (b"1" + b"0" * 400, "integer_out_of_range"), (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
    (b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2), "too_deep"), (b'"\\u0000"', "nul_refused"),
    (b"\xff\xfe", "bad_encoding"), (b'{"a":', "bad_json"), (b'"\\ud800"', "bad_text"),
])
def test_the_strict_reader_refuses_hostile_bytes_with_a_typed_error(raw, code):
    with pytest.raises(CanonicalError) as refused:
        loads(raw)
    assert refused.value.code == code


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_the_strict_reader_never_raises_anything_but_a_record_error(raw):
    try:
        value = loads(raw)
    except RecordError:
        return
    assert loads(canonical_json(value)) == value


def test_loads_canonical_refuses_non_canonical_bytes():
    assert loads_canonical(b'{"a":1}') == {"a": 1}
    for raw in (b'{"a": 1}', b'{"b":1,"a":2}', b'{"a":1}\n'):
        with pytest.raises(CanonicalError):
            loads_canonical(raw)


# -- golden bytes and round trips ----------------------------------------------------------

def golden_documents() -> dict[str, object]:
    card = BallotCard("1405", "B1", "S-1", "ab" * 32, "2026-05-01T09", "AU-1", definition().fingerprint)
    return {
        "election_definition": definition().document(),
        "ballot_manifest": sign_manifest(manifest_doc(), KEY),
        "envelope": Envelope("AU-1", "1405", "B1", 7, "checkin", {"national_code": "0499370899"}).signed(KEY),
        "ballot_card": {"card": card.document(), "signature": KEY.sign_document(card.document())},
        "cast_vote_records": records(),
        "branch_report": report_of(records()),
    }


@pytest.mark.parametrize("name", sorted(golden_documents()))
def test_golden_bytes(name):
    """The byte form of every record type is fixed: a change here breaks every verifier in the field."""
    data = canonical_json(golden_documents()[name])
    assert data == (GOLDEN / f"{name}.json").read_bytes().rstrip(b"\n"), f"{name}: bytes changed"


def test_round_trips():
    d = definition()
    assert ElectionDefinition.load(d.canonical()) == d and len(d.fingerprint) == 64
    envelope = Envelope("AU-1", "1405", "B1", 7, "checkin", {"national_code": "0499370899"})
    assert Envelope.parse(json.loads(canonical_json(envelope.document()))) == envelope
    for r in records():
        assert CastVoteRecord.parse(loads(canonical_json(r))).document() == r
    token = issue_card(election="1405", branch="B1", style="S-1", issuer="AU-1", key=KEY, now=NOW,
                       fingerprint=d.fingerprint)
    card = read_card(token, KEY.public_key)
    assert card.fingerprint == d.fingerprint and card.hour == "2026-05-01T09"
    report = report_of(records())
    manifest = parse_signed_manifest(sign_manifest(manifest_doc(), KEY), KEY.public_hex)
    assert verify_report(report, manifest=manifest, records=records(), fingerprint=d.fingerprint).document() == report
    assert join_qr_payloads(reversed(qr_payloads(verify_report(report), chunk=300))) == report


def test_records_digest_is_order_free_and_lists_are_canonical():
    rs = records()
    assert records_digest(rs) == records_digest(list(reversed(rs)))
    assert in_canonical_order(rs) and not in_canonical_order(list(reversed(rs)))


# -- a changed byte is refused ---------------------------------------------------------------

def leaves(value: object, path: str = "$"):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path


def mutate(doc: object, path: str) -> object:
    out = copy.deepcopy(doc)
    parts = path[2:].replace("[", ".[").split(".")
    node = out
    for p in parts[:-1]:
        node = node[int(p[1:-1])] if p.startswith("[") else node[p]
    last = parts[-1]
    key = int(last[1:-1]) if last.startswith("[") else last
    old = node[key]
    node[key] = (not old) if isinstance(old, bool) else (old + 1) if isinstance(old, int) else \
        ("x" if old is None else str(old) + "0")
    return out


def test_every_changed_field_of_a_signed_report_is_refused():
    report = report_of(records())
    for path in leaves(report["report"], "$.report"):
        forged = mutate(report, path)
        with pytest.raises(ReportInvalid):
            verify_report(forged)


def test_every_changed_field_of_a_signed_manifest_is_refused():
    signed = sign_manifest(manifest_doc(), KEY)
    paths = list(leaves(signed["manifest"], "$.manifest"))
    assert len(paths) > 100
    for path in paths:
        with pytest.raises(ManifestInvalid):
            parse_signed_manifest(mutate(signed, path), KEY.public_key)


def test_a_malformed_manifest_is_refused_with_every_problem_named():
    doc = manifest_doc()
    doc["contests"][0]["seats"] = "five"
    del doc["contests"][1]["candidates"][2]["code"]
    doc["contests"][1]["lists"] = [{"id": "x"}]
    with pytest.raises(ManifestInvalid) as refused:
        validate_document(doc)
    named = [p for p, _ in refused.value.problems]
    assert "$.contests[0].seats" in named and "$.contests[1].candidates[2].code" in named
    assert "$.contests[1].lists[0].members" in named
    assert refused.value.path == named[0]


def test_every_changed_field_of_an_envelope_or_card_is_refused():
    signed = Envelope("AU-1", "1405", "B1", 7, "checkin", {"national_code": "0499370899"}).signed(KEY)
    for path in leaves(signed["envelope"], "$.envelope"):
        forged = mutate(signed, path)
        with pytest.raises(RecordError):
            envelope = Envelope.parse(forged["envelope"])
            verify_document(KEY.public_key, envelope.document(), forged["signature"])
    token = issue_card(election="1405", branch="B1", style="S-1", issuer="AU-1", key=KEY, now=NOW)
    payload, signature = token.split(".")
    for i in range(len(payload)):
        flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1:]
        with pytest.raises(CardInvalid):
            read_card(f"{flipped}.{signature}", KEY.public_key)


def test_envelope_refuses_huge_sequence_numbers_and_bad_fields():
    for seq in (0, -1, 2**63, True, "1"):
        with pytest.raises(RecordError) as refused:
            Envelope("AU-1", "1405", "B1", seq, "checkin", {})
        assert refused.value.path == "$.envelope.seq"
    with pytest.raises(RecordError, match="lacks"):
        Envelope.parse({"device": "AU-1"})


def test_sha256_is_of_the_canonical_bytes():
    assert sha256_hex(canonical_json(definition().document())) == definition().fingerprint


def test_a_final_report_carries_its_closing_minute_in_utc_and_it_must_fit_its_hour():
    import datetime as dt

    from entekhab.domain.jalali import TEHRAN
    from entekhab.records.errors import ReportInvalid
    from entekhab.records.report import closed_at, parse_closed_at, verify_report

    moment = dt.datetime(2026, 5, 1, 18, 14, 59, tzinfo=TEHRAN)
    assert closed_at(moment) == "2026-05-01T14:44Z"
    assert parse_closed_at("2026-05-01T14:44Z") == dt.datetime(2026, 5, 1, 14, 44, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        closed_at(moment.replace(tzinfo=None))
    base = report_of(records())["report"]
    verify_report(sign_report({**base, "hour": "2026-05-01T14", "closed_at": "2026-05-01T14:44Z"}, KEY).document())
    for wrong in ("2026-05-01T18:14", "2026-05-01T18:14+03:30", "2026-05-01T18:14Z"):  # no zone, a zone, another hour
        with pytest.raises(ReportInvalid):
            verify_report(sign_report({**base, "hour": "2026-05-01T14", "closed_at": wrong}, KEY).document())
