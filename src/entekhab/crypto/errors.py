"""Typed failures of the cryptographic core: every refusal names what was refused."""

from __future__ import annotations

from entekhab.domain.errors import DomainError


class CryptoError(DomainError):
    """Base class of every refusal raised by ``entekhab.crypto``."""

    code = "crypto"


class InvalidElement(CryptoError):
    """A byte string that is not the canonical encoding of an allowed group element."""

    code = "invalid_element"


class InvalidScalar(CryptoError):
    """A byte string or integer that is not a canonical scalar modulo the group order."""

    code = "invalid_scalar"


class ProofError(CryptoError):
    """A zero-knowledge proof that does not verify."""

    code = "invalid_proof"


class DecodingError(CryptoError):
    """A decrypted element that is not ``g^m`` for any index in the decoding table."""

    code = "undecodable"


class CeremonyError(CryptoError):
    """A key-ceremony step refused: bad share, too few guardians, unknown guardian."""

    code = "ceremony"


class RecordError(CryptoError):
    """An election record that cannot be read (missing file, bad JSON, wrong schema)."""

    code = "record"
