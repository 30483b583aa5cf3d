"""Non-interactive sigma proofs (Fiat–Shamir), stored compressed as (challenge, response).

- ``SchnorrProof``: knowledge of ``x`` with ``K = g^x`` (a guardian's proof of possession).
- ``ChaumPedersenProof``: ``log_g K = log_{A_k} D_k`` for all k (a guardian's decryption
  share of a whole ballot is honest; one proof per guardian per ballot).
- ``RandomnessProof``: knowledge of every ``r_k`` with ``alpha_k = g^{r_k}`` in a ballot,
  bound to a context (election, ballot style, device chain position), so a copied
  ciphertext cannot be submitted again elsewhere with a valid proof.

Verification recomputes the commitments from the response and checks the challenge, so
changing any element of statement or proof changes the hash and the proof fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from entekhab.crypto import encoding
from entekhab.crypto.elgamal import Ciphertext
from entekhab.crypto.errors import ProofError
from entekhab.crypto.group import Element, Randomness, Scalar, g_pow, random_scalar
from entekhab.crypto.hash import Transcript
from entekhab.i18n import en_fa


def _fail(what: str, fa: str) -> ProofError:
    return ProofError("%(what)s proof does not verify", params={"what": what, "fa": fa})


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    challenge: Scalar
    response: Scalar

    @staticmethod
    def _hash(context: bytes, public: Element, commit: Element) -> Scalar:
        return (
            Transcript("schnorr")
            .bytes("context", context)
            .element("public", public)
            .element("commit", commit)
            .challenge()
        )

    @staticmethod
    def prove(secret: Scalar, public: Element, context: bytes, rng: Randomness | None = None) -> SchnorrProof:
        w = random_scalar(rng)
        c = SchnorrProof._hash(context, public, g_pow(w))
        return SchnorrProof(c, w + c * secret)

    def verify(self, public: Element, context: bytes) -> None:
        commit = g_pow(self.response) * (public ** (-self.challenge))
        if SchnorrProof._hash(context, public, commit) != self.challenge:
            raise _fail(*en_fa("Schnorr"))

    def to_json(self) -> list[str]:
        return [self.challenge.hex(), self.response.hex()]

    @staticmethod
    def from_json(value: object) -> SchnorrProof:
        c, z = encoding.array(value, "Schnorr proof", length=2)
        return SchnorrProof(Scalar.from_hex(c), Scalar.from_hex(z))


@dataclass(frozen=True, slots=True)
class ChaumPedersenProof:
    """``log_g K = log_{A_k} D_k`` for every k, with one challenge (one share vector)."""

    challenge: Scalar
    response: Scalar

    @staticmethod
    def _hash(
        context: bytes,
        k: Element,
        bases: Sequence[Element],
        values: Sequence[Element],
        commits: Sequence[Element],
    ) -> Scalar:
        return (
            Transcript("chaum-pedersen")
            .bytes("context", context)
            .element("key", k)
            .elements("bases", list(bases))
            .elements("values", list(values))
            .elements("commits", list(commits))
            .challenge()
        )

    @staticmethod
    def prove(
        secret: Scalar,
        k: Element,
        bases: Sequence[Element],
        values: Sequence[Element],
        context: bytes,
        rng: Randomness | None = None,
    ) -> ChaumPedersenProof:
        """Prove ``k = g^secret`` and ``values[i] = bases[i]^secret`` for all i."""
        w = random_scalar(rng)
        commits = [g_pow(w), *(a**w for a in bases)]
        c = ChaumPedersenProof._hash(context, k, bases, values, commits)
        return ChaumPedersenProof(c, w + c * secret)

    def verify(self, k: Element, bases: Sequence[Element], values: Sequence[Element], context: bytes) -> None:
        if len(bases) != len(values):
            raise _fail(*en_fa("Chaum–Pedersen (lengths differ)"))
        neg = -self.challenge
        commits = [g_pow(self.response) * (k**neg)]
        commits.extend((a**self.response) * (d**neg) for a, d in zip(bases, values, strict=True))
        if ChaumPedersenProof._hash(context, k, bases, values, commits) != self.challenge:
            raise _fail(*en_fa("Chaum–Pedersen"))

    def to_json(self) -> list[str]:
        return [self.challenge.hex(), self.response.hex()]

    @staticmethod
    def from_json(value: object) -> ChaumPedersenProof:
        c, z = encoding.array(value, "Chaum-Pedersen proof", length=2)
        return ChaumPedersenProof(Scalar.from_hex(c), Scalar.from_hex(z))


@dataclass(frozen=True, slots=True)
class RandomnessProof:
    challenge: Scalar
    responses: tuple[Scalar, ...]

    @staticmethod
    def _hash(context: bytes, slots: Sequence[Ciphertext], commits: Sequence[Element]) -> Scalar:
        return (
            Transcript("ballot-randomness")
            .bytes("context", context)
            .bytes("ciphertexts", b"".join(c.alpha.b + c.beta.b for c in slots))
            .bytes("commits", b"".join(t.b for t in commits))
            .challenge()
        )

    @staticmethod
    def prove(
        slots: Sequence[Ciphertext],
        nonces: Sequence[Scalar],
        context: bytes,
        rng: Randomness | None = None,
    ) -> RandomnessProof:
        ws = [random_scalar(rng) for _ in slots]
        c = RandomnessProof._hash(context, slots, [g_pow(w) for w in ws])
        return RandomnessProof(c, tuple(w + c * r for w, r in zip(ws, nonces, strict=True)))

    def verify(self, slots: Sequence[Ciphertext], context: bytes) -> None:
        if len(self.responses) != len(slots):
            raise _fail(*en_fa("ballot randomness (wrong length)"))
        neg = -self.challenge
        commits = [g_pow(z) * (s.alpha**neg) for z, s in zip(self.responses, slots, strict=True)]
        if RandomnessProof._hash(context, slots, commits) != self.challenge:
            raise _fail(*en_fa("ballot randomness"))

    def to_json(self) -> dict[str, object]:
        return {"c": self.challenge.hex(), "z": [z.hex() for z in self.responses]}

    @staticmethod
    def from_json(value: object) -> RandomnessProof:
        d = encoding.obj(value, "ballot proof", ("c", "z"))
        zs = encoding.array(d["z"], "ballot proof responses", 1000)
        return RandomnessProof(Scalar.from_hex(d["c"]), tuple(Scalar.from_hex(z) for z in zs))
