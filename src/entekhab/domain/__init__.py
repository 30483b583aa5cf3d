"""Pure value types shared by every Entekhab package (no Django)."""
