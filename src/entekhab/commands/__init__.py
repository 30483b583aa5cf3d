"""Subcommands of the ``entekhab`` command, one module per area of work.

Each module exposes ``register(app)``; heavy imports stay inside the commands so
that ``entekhab --help`` starts fast.
"""
