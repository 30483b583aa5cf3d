"""Pure publication: totals from branch reports, recounts, open data, NIST exports, QR checks.

No Django: the HQ adapter (``entekhab.hq.results``) and any citizen's recount share
this code, so what HQ publishes and what a recount computes come from one definition.
"""
