"""The signed ballot manifest: one ballot style, its contests, lists, candidates and codes.

HQ signs it, the e-box loads it, the tally and every verifier read it, all through this
one parser. Shape (``format`` = ``entekhab/ballot-manifest/1``), canonical JSON::

    {"format", "election": {code, name_fa, name_en, polling_date},
     "ballot_style", "code_length", "code_seed",
     "contests": [{code, office, method, name_fa, name_en, seats, alternates, max_votes,
                   list_mix, alternates_policy,
                   "lists": [{id, code, title_fa, title_en, party: {name_fa, name_en, kind, licence},
                              members: [candidate id, ... in list order]}],
                   "candidates": [{id, code, name_fa, name_en, veteran, degree, photo_sha256,
                                   list: list id | null}]}]}

Every field is required (no defaults: a manifest means one thing everywhere). Contests are
ordered by code, lists and candidates by ballot code. A device loads the envelope
``{"manifest", "sha256", "signature", "public_key"}`` and refuses it unless the hash
matches the canonical bytes and HQ's key signed them.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from entekhab.counting.errors import CountingError
from entekhab.counting.interpret import Interpreter
from entekhab.counting.manifest import (
    ContestManifest,
    ListMixPolicy,
    ManifestCandidate,
    ManifestList,
    normalise_code,
)
from entekhab.domain.ids import CandidateId, GroupId
from entekhab.i18n import en_fa
from entekhab.records.canonical import canonical_json, loads_canonical, sha256_hex
from entekhab.records.errors import CanonicalError, ManifestInvalid, Problems, SignatureInvalid
from entekhab.records.signing import SigningKey, verify

FORMAT = "entekhab/ballot-manifest/1"
MAX_CONTESTS = 16
MAX_CANDIDATES = 5_000


def _field(obj: dict[str, Any], name: str, kind: type | tuple[type, ...], path: str, problems: Problems) -> Any:
    value = obj.get(name)
    if name not in obj:
        problems.add(f"{path}.{name}", "missing")
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        problems.add(f"{path}.{name}", f"must be {getattr(kind, '__name__', kind)}")
        return None
    return value


def _parse_contest(c: object, path: str, problems: Problems) -> ContestManifest | None:
    """One contest as the counting package reads it; every problem goes to ``problems``."""
    if not isinstance(c, dict):
        problems.add(path, "a contest must be an object")
        return None
    before = len(problems.items)
    for name in ("code", "office", "method", "name_fa", "name_en", "list_mix", "alternates_policy"):
        _field(c, name, str, path, problems)
    seats = _field(c, "seats", int, path, problems)
    alternates = _field(c, "alternates", int, path, problems)
    max_votes = _field(c, "max_votes", int, path, problems)
    cands = _field(c, "candidates", list, path, problems) or []
    lists = _field(c, "lists", list, path, problems) or []
    if len(cands) > MAX_CANDIDATES:
        problems.add(f"{path}.candidates", f"more than {MAX_CANDIDATES} candidates")
        return None
    parsed_c, parsed_l = [], []
    for i, x in enumerate(cands):
        p = f"{path}.candidates[{i}]"
        if not isinstance(x, dict):
            problems.add(p, "must be an object")
            continue
        for name in ("id", "code", "name_fa", "name_en", "photo_sha256"):
            _field(x, name, str, p, problems)
        veteran = _field(x, "veteran", bool, p, problems)
        degree = _field(x, "degree", int, p, problems)
        if "list" not in x:
            problems.add(f"{p}.list", "missing")
        if isinstance(x.get("id"), str) and isinstance(x.get("code"), str) and veteran is not None \
                and degree is not None:
            try:
                parsed_c.append(ManifestCandidate(CandidateId(x["id"]), x["code"], veteran, degree))
            except CountingError as exc:
                problems.add(p, exc.message_en)
    for i, x in enumerate(lists):
        p = f"{path}.lists[{i}]"
        if not isinstance(x, dict):
            problems.add(p, "must be an object")
            continue
        for name in ("id", "code", "title_fa", "title_en"):
            _field(x, name, str, p, problems)
        _field(x, "party", dict, p, problems)
        members = _field(x, "members", list, p, problems)
        if members is not None and not all(isinstance(m, str) for m in members):
            problems.add(f"{p}.members", "members must be candidate ids")
            members = None
        if isinstance(x.get("id"), str) and isinstance(x.get("code"), str) and members is not None:
            try:
                parsed_l.append(ManifestList(GroupId(x["id"]), x["code"], tuple(CandidateId(m) for m in members)))
            except CountingError as exc:
                problems.add(p, exc.message_en)
    if len(problems.items) > before or seats is None or alternates is None or max_votes is None:
        return None
    try:
        return ContestManifest(candidates=tuple(parsed_c), lists=tuple(parsed_l), seats=seats, alternates=alternates,
                               max_votes=max_votes, list_mix=ListMixPolicy(c["list_mix"]))
    except (CountingError, ValueError) as exc:
        problems.add(path, getattr(exc, "message_en", str(exc)))
        return None


def validate_document(doc: object) -> dict[str, ContestManifest]:
    """Every contest's counting manifest, or :class:`ManifestInvalid` listing every problem with its path."""
    problems = Problems()
    out: dict[str, ContestManifest] = {}
    if not isinstance(doc, dict):
        raise ManifestInvalid("a manifest must be an object")
    if doc.get("format") != FORMAT:
        problems.add("$.format", f"must be {FORMAT}")
    election = _field(doc, "election", dict, "$", problems)
    if election is not None:
        for name in ("code", "name_fa", "name_en", "polling_date"):
            _field(election, name, str, "$.election", problems)
        if not election.get("code"):
            problems.add("$.election.code", "empty")
    style = _field(doc, "ballot_style", str, "$", problems)
    if style == "":
        problems.add("$.ballot_style", "empty")
    _field(doc, "code_length", int, "$", problems)
    _field(doc, "code_seed", str, "$", problems)
    contests = _field(doc, "contests", list, "$", problems) or []
    if election is not None and not contests:
        problems.add("$.contests", "a ballot has at least one contest")
    if len(contests) > MAX_CONTESTS:
        problems.add("$.contests", f"more than {MAX_CONTESTS} contests")
        contests = []
    for i, c in enumerate(contests):
        parsed = _parse_contest(c, f"$.contests[{i}]", problems)
        if parsed is not None:
            if c["code"] in out:
                problems.add(f"$.contests[{i}].code", "contest appears twice")
            out[c["code"]] = parsed
    problems.raise_if_any(ManifestInvalid, *en_fa("the manifest is malformed"))
    return out


def _load(data: bytes) -> tuple[dict[str, Any], dict[str, ContestManifest]]:
    """The document and its contests' counting manifests, parsed and validated once."""
    try:
        doc = loads_canonical(data)
    except CanonicalError as exc:
        raise ManifestInvalid(
            "manifest: %(message_en)s",
            params={"message_en": exc.message_en, "message_fa": exc.message_fa},
            path=exc.path,
        ) from exc
    return doc, validate_document(doc)


def load_document(data: bytes) -> dict[str, Any]:
    """Parse manifest bytes, refusing anything that is not canonical JSON of this format."""
    return _load(data)[0]


def _verified(data: bytes, sha256: str, signature: object, public_key: object
              ) -> tuple[dict[str, Any], dict[str, ContestManifest]]:
    if not isinstance(sha256, str) or not hmac.compare_digest(sha256_hex(data), sha256.lower()):
        raise ManifestInvalid("the manifest does not match its SHA-256 hash (tampered)", code="manifest_tampered",
                              path="$.sha256")
    try:
        verify(public_key, data, signature)  # type: ignore[arg-type]
    except SignatureInvalid as exc:
        raise ManifestInvalid("the manifest is not signed by HQ",
                              code="manifest_signature", path="$.signature") from exc
    return _load(data)


def verify_manifest(data: bytes, sha256: str, signature: object, public_key: object) -> dict[str, Any]:
    """The document, if its digest is ``sha256`` and the key signed it; else raise."""
    return _verified(data, sha256, signature, public_key)[0]


def contest_entry(doc: dict[str, Any], contest_code: str) -> dict[str, Any]:
    for contest in doc.get("contests", []):
        if contest.get("code") == contest_code:
            return contest
    raise ManifestInvalid(
        "manifest has no contest %(contest_code)s",
        params={"contest_code": repr(contest_code), "contest_code2": contest_code},
    )


def counting_manifest(doc: dict[str, Any], contest_code: str) -> ContestManifest:
    """The pure counting manifest of one contest, so the e-box and the tally read codes alike."""
    entry = contest_entry(doc, contest_code)
    problems = Problems()
    parsed = _parse_contest(entry, f"$.contests[{doc['contests'].index(entry)}]", problems)
    problems.raise_if_any(ManifestInvalid, *en_fa("the manifest is malformed"))
    assert parsed is not None  # _parse_contest names a problem whenever it gives nothing
    return parsed


@dataclass(frozen=True)
class CodeEntry:
    """What the e-box shows as a voter types a code."""

    code: str
    kind: str  # "list" or "candidate"
    id: str
    name_fa: str
    name_en: str
    photo_sha256: str = ""
    members: tuple[str, ...] = ()


def code_directory(doc: dict[str, Any], contest_code: str) -> dict[str, CodeEntry]:
    """Code → name (and photo digest) for every list and candidate of a contest."""
    c = contest_entry(doc, contest_code)
    out: dict[str, CodeEntry] = {}
    for lst in c["lists"]:
        code = normalise_code(lst["code"])
        out[code] = CodeEntry(code, "list", lst["id"], lst["title_fa"], lst["title_en"], members=tuple(lst["members"]))
    for cand in c["candidates"]:
        code = normalise_code(cand["code"])
        out[code] = CodeEntry(code, "candidate", cand["id"], cand["name_fa"], cand["name_en"], cand["photo_sha256"])
    return out


@dataclass(frozen=True)
class ContestDisplay:
    """One contest as the voter's screen shows it: names by code, and the interpreter."""

    code: str
    name_fa: str
    name_en: str
    max_votes: int
    directory: dict[str, CodeEntry]
    interpreter: Interpreter

    @property
    def names(self) -> dict[str, dict[str, str]]:
        """Code → what the screen shows for it (``kind``, names, ``photo``, list ``members`` count)."""
        return {code: self._shown(entry) for code, entry in self.directory.items()}

    def lookup(self, code: str) -> dict[str, str] | None:
        entry = self.directory.get(code)
        return None if entry is None else self._shown(entry)

    @staticmethod
    def _shown(entry: CodeEntry) -> dict[str, str]:
        out = {"kind": entry.kind, "name_fa": entry.name_fa, "name_en": entry.name_en, "photo": entry.photo_sha256}
        if entry.kind == "list":
            out["members"] = str(len(entry.members))
        return out


@dataclass(frozen=True)
class BallotManifest:
    """A verified manifest: the document, its hash, and the contests ready to interpret."""

    document: dict[str, Any]
    sha256: str
    contests: tuple[ContestDisplay, ...]

    @property
    def election(self) -> str:
        return str(self.document["election"]["code"])

    @property
    def style(self) -> str:
        return str(self.document["ballot_style"])

    def contest(self, code: str) -> ContestDisplay:
        for c in self.contests:
            if c.code == code:
                return c
        raise ManifestInvalid("no contest %(code)s on this ballot", params={"code": repr(code), "code2": code})


def _build(document: dict[str, Any], sha256: str, parsed: dict[str, ContestManifest]) -> BallotManifest:
    contests = tuple(
        ContestDisplay(code=c["code"], name_fa=c["name_fa"], name_en=c["name_en"],
                       max_votes=parsed[c["code"]].max_candidate_votes,
                       directory=code_directory(document, c["code"]), interpreter=Interpreter(parsed[c["code"]]))
        for c in document["contests"]
    )
    return BallotManifest(document, sha256, contests)


def sign_manifest(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """The signed envelope a device loads."""
    data = canonical_json(document)
    return {"manifest": document, "sha256": sha256_hex(data), "signature": key.sign(data).hex(),
            "public_key": key.public_hex}


def parse_signed_manifest(signed: object, hq_public: bytes | str) -> BallotManifest:
    """Verify hash and signature under HQ's key, then build every contest; any problem refuses it whole."""
    if not isinstance(signed, dict) or not isinstance(signed.get("manifest"), dict):
        raise ManifestInvalid("the manifest file is not a signed manifest")
    try:
        data = canonical_json(signed["manifest"])
    except CanonicalError as exc:
        raise ManifestInvalid(
            "manifest: %(message_en)s",
            params={"message_en": exc.message_en, "message_fa": exc.message_fa},
            path=exc.path,
        ) from exc
    document, parsed = _verified(data, signed.get("sha256"), signed.get("signature"), hq_public)  # type: ignore[arg-type]
    return _build(document, sha256_hex(data), parsed)
