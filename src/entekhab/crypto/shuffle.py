"""Re-encryption shuffle of ballot vectors with a Terelius–Wikström proof.

Follows "Pseudo-Code Algorithms for Verifiable Re-Encryption Mix-Nets" (Haenni, Locher,
Koenig, Dubuis, FC 2017), ``GenShuffleProof``/``CheckShuffleProof``, extended from single
ciphertexts to rows of ``w`` ciphertexts that share one permutation: the ``t4``
commitment and the ``s4`` response become one per slot.  Our ElGamal writes a ciphertext
as ``(alpha, beta) = (g^r, g^m pk^r)``; output ``i`` is input ``psi[i]`` re-encrypted.

Hot loops work on raw 32-byte encodings and int exponents (no per-operation objects),
and the heavy per-position work runs in chunks through a ``pmap`` (see ``parallel``).
A row is a tuple ``(alpha_1, beta_1, …, alpha_w, beta_w)`` of encodings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from entekhab.crypto import encoding, sodium
from entekhab.crypto.errors import CryptoError, InvalidElement, ProofError
from entekhab.crypto.group import ORDER, Randomness
from entekhab.crypto.hash import PREFIX, indexed_scalars
from entekhab.crypto.parallel import PMap, chunks, serial_map
from entekhab.i18n import gettext_in

Row = tuple[bytes, ...]
ID = sodium.IDENTITY_BYTES
_add = sodium.add
_smul = sodium.scalarmult
_sbase = sodium.scalarmult_base


def _pow(p: bytes, e: int) -> bytes:
    e %= ORDER
    return ID if e == 0 else _smul(e.to_bytes(32, "little"), p)


def _gpow(e: int) -> bytes:
    e %= ORDER
    return ID if e == 0 else _sbase(e.to_bytes(32, "little"))


def _inv(p: bytes) -> bytes:
    return sodium.sub(ID, p)


def generators(label: bytes, lo: int, hi: int) -> list[bytes]:
    """Independent generators ``h_lo … h_{hi-1}`` for the permutation commitment."""
    base = hashlib.sha512(PREFIX + b"shuffle-generator\x00" + label)
    out = []
    for i in range(lo, hi):
        h = base.copy()
        h.update(i.to_bytes(8, "little"))
        out.append(sodium.from_hash(h.digest()))
    return out


def chain_base(label: bytes) -> bytes:
    return sodium.from_hash(hashlib.sha512(PREFIX + b"shuffle-chain-base\x00" + label).digest())


@dataclass(frozen=True, slots=True)
class ShuffleProof:
    commitments: tuple[bytes, ...]  # c_i, permutation commitment
    chain: tuple[bytes, ...]  # ĉ_i, commitment chain
    t1: bytes
    t2: bytes
    t3: bytes
    t4: tuple[tuple[bytes, bytes], ...]  # per slot (alpha part, beta part)
    t_hat: tuple[bytes, ...]
    s1: int
    s2: int
    s3: int
    s4: tuple[int, ...]
    s_hat: tuple[int, ...]
    s_prime: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        def sc(v: int) -> str:
            return v.to_bytes(32, "little").hex()

        return {
            "commitments": [c.hex() for c in self.commitments],
            "chain": [c.hex() for c in self.chain],
            "t1": self.t1.hex(),
            "t2": self.t2.hex(),
            "t3": self.t3.hex(),
            "t4": [[a.hex(), b.hex()] for a, b in self.t4],
            "t_hat": [t.hex() for t in self.t_hat],
            "s1": sc(self.s1),
            "s2": sc(self.s2),
            "s3": sc(self.s3),
            "s4": [sc(s) for s in self.s4],
            "s_hat": [sc(s) for s in self.s_hat],
            "s_prime": [sc(s) for s in self.s_prime],
        }

    @staticmethod
    def from_json(value: object) -> ShuffleProof:
        """Strict reader (exact keys, 64 lowercase hex digits each); validity is ``verify_shuffle``'s."""
        d = encoding.obj(value, "shuffle proof", _PROOF_KEYS)

        def el(v: object, what: str) -> bytes:
            return encoding.hex_bytes(v, 32, f"shuffle proof {what}")

        def sc(v: object, what: str) -> int:
            return int.from_bytes(el(v, what), "little")

        def seq(key: str) -> list[object]:
            return encoding.array(d[key], f"shuffle proof {key}")

        def pair(v: object) -> tuple[bytes, bytes]:
            a, b = encoding.array(v, "shuffle proof t4 pair", length=2)
            return el(a, "t4"), el(b, "t4")

        return ShuffleProof(
            commitments=tuple(el(v, "commitments") for v in seq("commitments")),
            chain=tuple(el(v, "chain") for v in seq("chain")),
            t1=el(d["t1"], "t1"),
            t2=el(d["t2"], "t2"),
            t3=el(d["t3"], "t3"),
            t4=tuple(pair(p) for p in seq("t4")),
            t_hat=tuple(el(v, "t_hat") for v in seq("t_hat")),
            s1=sc(d["s1"], "s1"),
            s2=sc(d["s2"], "s2"),
            s3=sc(d["s3"], "s3"),
            s4=tuple(sc(v, "s4") for v in seq("s4")),
            s_hat=tuple(sc(v, "s_hat") for v in seq("s_hat")),
            s_prime=tuple(sc(v, "s_prime") for v in seq("s_prime")),
        )


_PROOF_KEYS = ("commitments", "chain", "t1", "t2", "t3", "t4", "t_hat", "s1", "s2", "s3", "s4", "s_hat", "s_prime")


def _statement_seed(label: bytes, pk: bytes, inputs: list[Row], outputs: list[Row], c: tuple[bytes, ...]) -> bytes:
    h = hashlib.sha512(PREFIX + b"shuffle-statement\x00" + label + pk)
    h.update(len(inputs).to_bytes(8, "little"))
    for row in inputs:
        h.update(b"".join(row))
    for row in outputs:
        h.update(b"".join(row))
    h.update(b"".join(c))
    return h.digest()


def _challenge(seed: bytes, proof_parts: list[bytes]) -> int:
    h = hashlib.sha512(PREFIX + b"shuffle-challenge\x00" + seed)
    for p in proof_parts:
        h.update(len(p).to_bytes(8, "little") + p)
    return int.from_bytes(h.digest(), "little") % ORDER


def _t_parts(p: ShuffleProof) -> list[bytes]:
    return [
        b"".join(p.chain),
        p.t1,
        p.t2,
        p.t3,
        b"".join(a + b for a, b in p.t4),
        b"".join(p.t_hat),
    ]


# ---- chunk workers (top-level so they pickle to processes and Dask workers) ----


def reencrypt_chunk(rows: list[Row], pk: bytes, nonces: list[list[int]]) -> list[Row]:
    out = []
    for row, rs in zip(rows, nonces, strict=True):
        new: list[bytes] = []
        for k, r in enumerate(rs):
            new.append(_add(row[2 * k], _gpow(r)))
            new.append(_add(row[2 * k + 1], _pow(pk, r)))
        out.append(tuple(new))
    return out


def reencrypt_commit_chunk(
    label: bytes, lo: int, rows: list[Row], pk: bytes, nonces: list[list[int]], r_at: list[int]
) -> tuple[list[Row], list[bytes]]:
    """Outputs ``lo…`` (re-encrypted permuted rows) and the commitments ``g^{r_{ψ(i)}} h_i`` of their positions."""
    hs = generators(label, lo, lo + len(r_at))
    return reencrypt_chunk(rows, pk, nonces), [_add(_gpow(r), h) for r, h in zip(r_at, hs, strict=True)]


def prove_products_chunk(
    label: bytes,
    lo: int,
    outputs: list[Row],
    omega_prime: list[int],
    omega_hat: list[int],
    r_acc: list[int],
    u_acc: list[int],
    r_prev: list[int],
    u_prev: list[int],
) -> tuple[bytes, list[bytes], list[bytes], list[bytes]]:
    """Partial ``∏ h_i^{ω'_i}``, per-slot ``∏ ã_{i,k}^{ω'_i}``, the chain ``ĉ_i`` and ``t̂_i``.

    The chain ``ĉ_i = g^{r̂_i} ĉ_{i-1}^{u'_i}`` is sequential, but the prover knows its
    exponents in closed form, ``ĉ_i = g^{R_i} b^{U_i}`` with ``U_i = ∏_{j≤i} u'_j`` and
    ``R_i = R_{i-1} u'_i + r̂_i`` (``b`` the chain base), so each chunk computes its own
    part (same elements, same proof) and ``t̂_i = g^{ω̂_i} ĉ_{i-1}^{ω'_i}`` needs no
    previous element: ``g^{ω̂_i + ω'_i R_{i-1}} b^{ω'_i U_{i-1}}``.
    """
    hs = generators(label, lo, lo + len(outputs))
    base = chain_base(label)
    width = len(outputs[0]) if outputs else 0
    t3 = ID
    t4 = [ID] * width
    chain = []
    t_hat = []
    for i, (h, row) in enumerate(zip(hs, outputs, strict=True)):
        wp = omega_prime[i]
        eb = (wp % ORDER).to_bytes(32, "little")
        t3 = _add(t3, _smul(eb, h))
        for j in range(width):
            t4[j] = _add(t4[j], _smul(eb, row[j]))
        chain.append(_add(_gpow(r_acc[i]), _pow(base, u_acc[i])))
        t_hat.append(_add(_gpow(omega_hat[i] + wp * r_prev[i]), _pow(base, wp * u_prev[i])))
    return t3, t4, chain, t_hat


def verify_chunk(
    label: bytes,
    lo: int,
    inputs: list[Row],
    outputs: list[Row],
    commitments: list[bytes],
    chain_prev: list[bytes],
    chain: list[bytes],
    t_hat: list[bytes],
    u: list[int],
    s_prime: list[int],
    s_hat: list[int],
    c: int,
) -> tuple[list[bytes], list[str]]:
    """Partial products for the global equations, and the local ``t̂_i`` checks.

    Points are not validated up front: every input, output, commitment and chain element
    passes through a libsodium multiplication or addition, which decodes (and so
    validates) it anyway; only when one refuses do we run the diagnostic pass that names
    the bad element.  Multiplications take the raw exponent bytes, so a zero exponent
    still validates its point.
    """
    problems = [
        f"{name} {lo + i} slot {j // 2}: invalid or identity element"
        for name, seq in (("input", inputs), ("output", outputs))
        for i, row in enumerate(seq)
        if ID in row
        for j, p in enumerate(row)
        if p == ID
    ]
    if problems:
        return [], problems
    try:
        return _verify_chunk_products(label, lo, inputs, outputs, commitments, chain_prev, chain, t_hat, u,
                                      s_prime, s_hat, c)
    except CryptoError:
        return [], _invalid_elements(lo, inputs, outputs, commitments, chain, t_hat) or [
            f"positions {lo}..{lo + len(inputs) - 1}: invalid element"
        ]


def _invalid_elements(
    lo: int, inputs: list[Row], outputs: list[Row], commitments: list[bytes], chain: list[bytes], t_hat: list[bytes]
) -> list[str]:
    problems: list[str] = []
    for name, seq in (("input", inputs), ("output", outputs)):
        for i, row in enumerate(seq):
            for j, p in enumerate(row):
                if not sodium.is_valid_point(p):
                    problems.append(f"{name} {lo + i} slot {j // 2}: invalid or identity element")
    for name, seq2 in (("commitment", commitments), ("chain", chain), ("t_hat", t_hat)):
        for i, p in enumerate(seq2):
            if not sodium.is_valid_point(p):
                problems.append(f"proof {name} {lo + i}: invalid element")
    return problems


def _verify_chunk_products(
    label: bytes,
    lo: int,
    inputs: list[Row],
    outputs: list[Row],
    commitments: list[bytes],
    chain_prev: list[bytes],
    chain: list[bytes],
    t_hat: list[bytes],
    u: list[int],
    s_prime: list[int],
    s_hat: list[int],
    c: int,
) -> tuple[list[bytes], list[str]]:
    problems: list[str] = []
    hs = generators(label, lo, lo + len(inputs))
    width = len(inputs[0])
    prod_c = ID
    prod_h = ID
    c_tilde = ID
    e_prime = [ID] * width
    h_sp = ID
    out_sp = [ID] * width
    ncb = ((-c) % ORDER).to_bytes(32, "little")
    for i in range(len(inputs)):
        ub = (u[i] % ORDER).to_bytes(32, "little")
        spb = (s_prime[i] % ORDER).to_bytes(32, "little")
        prod_c = _add(prod_c, commitments[i])
        prod_h = _add(prod_h, hs[i])
        c_tilde = _add(c_tilde, _smul(ub, commitments[i]))
        row_in = inputs[i]
        row_out = outputs[i]
        for j in range(width):
            e_prime[j] = _add(e_prime[j], _smul(ub, row_in[j]))
            out_sp[j] = _add(out_sp[j], _smul(spb, row_out[j]))
        h_sp = _add(h_sp, _smul(spb, hs[i]))
        expect = _add(_add(_smul(ncb, chain[i]), _gpow(s_hat[i])), _smul(spb, chain_prev[i]))
        if expect != t_hat[i]:
            bad = "" if sodium.is_valid_point(t_hat[i]) else " (invalid element)"
            problems.append(f"t_hat equation fails at position {lo + i}{bad}")
    return [prod_c, prod_h, c_tilde, *e_prime, h_sp, *out_sp], problems


# ---- prover and verifier ----


def _permutation(n: int, rng: Randomness) -> list[int]:
    psi = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        psi[i], psi[j] = psi[j], psi[i]
    return psi


def shuffle_and_prove(
    inputs: list[Row],
    pk: bytes,
    label: bytes,
    rng: Randomness,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> tuple[list[Row], ShuffleProof]:
    """Permute and re-encrypt ``inputs``; return the outputs and the proof of shuffle."""
    n = len(inputs)
    if n == 0:
        raise ProofError("nothing to shuffle")
    width = len(inputs[0])
    if width % 2 or any(len(r) != width for r in inputs):
        raise InvalidElement("rows of a shuffle must all have the same width")
    w = width // 2
    psi = _permutation(n, rng)
    nonces = [[rng.scalar().v for _ in range(w)] for _ in range(n)]
    spans = chunks(n, 4 * parts if parts > 1 else 1)  # small chunks balance load
    permuted = [inputs[psi[i]] for i in range(n)]
    r = [rng.scalar().v for _ in range(n)]  # r[j] for input j
    r_at = [r[psi[i]] for i in range(n)]
    outputs: list[Row] = []
    commitments_list = [ID] * n
    jobs1 = [(label, a, permuted[a:b], pk, nonces[a:b], r_at[a:b]) for a, b in spans]
    for (a, _), (part, commits) in zip(spans, pmap(reencrypt_commit_chunk, jobs1), strict=True):
        outputs.extend(part)
        for i, cm in enumerate(commits, start=a):
            commitments_list[psi[i]] = cm
    commitments = tuple(commitments_list)
    seed = _statement_seed(label, pk, inputs, outputs, commitments)
    u = indexed_scalars(seed, "shuffle-u", n)
    u_prime = [u[psi[i]] for i in range(n)]

    r_hat = [rng.scalar().v for _ in range(n)]
    r_acc, u_acc = [0] * n, [0] * n
    r_run, u_run = 0, 1
    for i in range(n):
        u_run = u_run * u_prime[i] % ORDER
        r_run = (r_run * u_prime[i] + r_hat[i]) % ORDER
        r_acc[i], u_acc[i] = r_run, u_run
    r_prev, u_prev = [0, *r_acc[:-1]], [1, *u_acc[:-1]]

    r_bar = sum(r) % ORDER
    v = [0] * n
    v[n - 1] = 1
    for i in range(n - 1, 0, -1):
        v[i - 1] = u_prime[i] * v[i] % ORDER
    r_hat_sum = sum(a * b for a, b in zip(r_hat, v, strict=True)) % ORDER
    r_tilde = sum(a * b for a, b in zip(r, u, strict=True)) % ORDER
    r_prime = [sum(nonces[i][k] * u_prime[i] for i in range(n)) % ORDER for k in range(w)]

    om1, om2, om3 = rng.scalar().v, rng.scalar().v, rng.scalar().v
    om4 = [rng.scalar().v for _ in range(w)]
    om_hat = [rng.scalar().v for _ in range(n)]
    om_prime = [rng.scalar().v for _ in range(n)]

    t3 = _gpow(om3)
    t4_acc = [ID] * width
    chain: list[bytes] = []
    t_hat: list[bytes] = []
    jobs = [
        (label, a, outputs[a:b], om_prime[a:b], om_hat[a:b], r_acc[a:b], u_acc[a:b], r_prev[a:b], u_prev[a:b])
        for a, b in spans
    ]
    for p3, p4, pc, ph in pmap(prove_products_chunk, jobs):
        t3 = _add(t3, p3)
        t4_acc = [_add(x, y) for x, y in zip(t4_acc, p4, strict=True)]
        chain.extend(pc)
        t_hat.extend(ph)
    t4 = tuple((_add(_gpow(-om4[k]), t4_acc[2 * k]), _add(_pow(pk, -om4[k]), t4_acc[2 * k + 1])) for k in range(w))
    t1, t2 = _gpow(om1), _gpow(om2)
    draft = ShuffleProof(commitments, tuple(chain), t1, t2, t3, t4, tuple(t_hat), 0, 0, 0, (), (), ())
    c = _challenge(seed, _t_parts(draft))
    proof = ShuffleProof(
        commitments=commitments,
        chain=tuple(chain),
        t1=t1,
        t2=t2,
        t3=t3,
        t4=t4,
        t_hat=tuple(t_hat),
        s1=(om1 + c * r_bar) % ORDER,
        s2=(om2 + c * r_hat_sum) % ORDER,
        s3=(om3 + c * r_tilde) % ORDER,
        s4=tuple((om4[k] + c * r_prime[k]) % ORDER for k in range(w)),
        s_hat=tuple((om_hat[i] + c * r_hat[i]) % ORDER for i in range(n)),
        s_prime=tuple((om_prime[i] + c * u_prime[i]) % ORDER for i in range(n)),
    )
    return outputs, proof


def verify_shuffle(
    inputs: list[Row],
    outputs: list[Row],
    proof: ShuffleProof,
    pk: bytes,
    label: bytes,
    pmap: PMap = serial_map,
    parts: int = 1,
) -> None:
    """Raise ``ProofError`` naming the first failed check (all local failures listed)."""
    n = len(inputs)
    if n == 0 or len(outputs) != n:
        raise ProofError(
            "shuffle has %(n)s inputs and %(outputs)s outputs", params={"n": n, "outputs": len(outputs)},
        )
    width = len(inputs[0])
    w = width // 2
    if width % 2 or any(len(r) != width for r in inputs) or any(len(r) != width for r in outputs):
        raise ProofError("rows of different widths")
    lengths = (
        len(proof.commitments),
        len(proof.chain),
        len(proof.t_hat),
        len(proof.s_hat),
        len(proof.s_prime),
    )
    if any(x != n for x in lengths) or len(proof.t4) != w or len(proof.s4) != w:
        raise ProofError("shuffle proof has wrong lengths")
    scalars = (proof.s1, proof.s2, proof.s3, *proof.s4, *proof.s_hat, *proof.s_prime)
    if any(not 0 <= s < ORDER for s in scalars):
        raise ProofError("shuffle proof has a non-canonical scalar")
    singles = (proof.t1, proof.t2, proof.t3, pk, *(x for pair in proof.t4 for x in pair))
    if any(not sodium.is_valid_point(p) for p in singles) or pk == ID:
        raise ProofError("shuffle proof has an invalid element")

    seed = _statement_seed(label, pk, inputs, outputs, proof.commitments)
    u = indexed_scalars(seed, "shuffle-u", n)
    c = _challenge(seed, _t_parts(proof))
    base = chain_base(label)
    chain_prev = [base, *proof.chain[:-1]]
    spans = chunks(n, 4 * parts if parts > 1 else 1)  # small chunks balance load
    jobs = [
        (
            label,
            a,
            inputs[a:b],
            outputs[a:b],
            list(proof.commitments[a:b]),
            chain_prev[a:b],
            list(proof.chain[a:b]),
            list(proof.t_hat[a:b]),
            u[a:b],
            list(proof.s_prime[a:b]),
            list(proof.s_hat[a:b]),
            c,
        )
        for a, b in spans
    ]
    size = 3 + width + 1 + width
    acc = [ID] * size
    problems: list[str] = []
    for partial, local in pmap(verify_chunk, jobs):
        problems.extend(local)
        if partial:
            acc = [_add(x, y) for x, y in zip(acc, partial, strict=True)]
    if problems:
        head = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ProofError(head + more, gettext_in("fa", "the shuffle proof does not verify"))
    prod_c, prod_h, c_tilde = acc[0], acc[1], acc[2]
    e_prime = acc[3 : 3 + width]
    h_sp = acc[3 + width]
    out_sp = acc[4 + width :]
    u_prod = 1
    for x in u:
        u_prod = u_prod * x % ORDER
    neg_c = (-c) % ORDER
    c_bar = sodium.sub(prod_c, prod_h)
    c_hat = sodium.sub(proof.chain[-1], _pow(base, u_prod))
    failures = []
    if _add(_pow(c_bar, neg_c), _gpow(proof.s1)) != proof.t1:
        failures.append("t1 (permutation commitment sum)")
    if _add(_pow(c_hat, neg_c), _gpow(proof.s2)) != proof.t2:
        failures.append("t2 (commitment chain)")
    if _add(_add(_pow(c_tilde, neg_c), _gpow(proof.s3)), h_sp) != proof.t3:
        failures.append("t3 (permutation commitment products)")
    for k in range(w):
        ta = _add(_add(_pow(e_prime[2 * k], neg_c), _gpow(-proof.s4[k])), out_sp[2 * k])
        tb = _add(_add(_pow(e_prime[2 * k + 1], neg_c), _pow(pk, -proof.s4[k])), out_sp[2 * k + 1])
        if (ta, tb) != proof.t4[k]:
            failures.append(f"t4 (re-encryption) slot {k}")
    if failures:
        raise ProofError(
            "shuffle proof fails: " + ", ".join(failures), gettext_in("fa", "the shuffle proof does not verify")
        )
