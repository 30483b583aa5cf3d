"""Hardware and registry adapters behind small documented interfaces.

:mod:`fingerprint` (the reader on the authentication device) and
:mod:`civil_registry` (eligibility: alive, 18 on polling day) each define a
``Protocol`` and a deterministic demo adapter; a real adapter implements the
same protocol and is chosen in the device configuration.
"""
