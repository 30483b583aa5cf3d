"""Accounts use Django's user and group models; roles live in ``roles.py``."""
