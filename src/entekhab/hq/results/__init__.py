"""Totalisation and publication at HQ: live turnout, totals, seats, certification, open data."""
