"""Pure verifiable-voting cryptography over ristretto255 (no Django)."""
