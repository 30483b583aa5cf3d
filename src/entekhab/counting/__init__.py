"""Pure counting: ballot interpretation, seat allocation methods, ties, explanations (no Django)."""
