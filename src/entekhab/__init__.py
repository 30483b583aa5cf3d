"""Entekhab (Persian for "election"): fully electronic, verifiable multi-contest elections."""

__version__ = "0.1.0"
