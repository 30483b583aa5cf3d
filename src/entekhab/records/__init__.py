"""Every document a vote travels in: one type, one parser and one serialiser each.

Pure (no Django, no device, no HQ): the e-box, HQ intake, the publication tools, the
crypto record and any citizen's verifier read the same bytes the same way.

- :mod:`canonical`  RFC 8785 canonical JSON and the strict JSON reader;
- :mod:`signing`    the one Ed25519 key and verify;
- :mod:`election`   the election definition and its fingerprint;
- :mod:`manifest`   the signed ballot manifest;
- :mod:`messages`   the signed device message envelope and the check-in message;
- :mod:`card`       the one-time ballot card;
- :mod:`cvr`        the cast vote record and its canonical order;
- :mod:`report`     the branch report (electronic, paper, replacement) and its QR transport.
"""
