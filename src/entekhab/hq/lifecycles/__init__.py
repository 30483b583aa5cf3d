"""Every lifecycle state column, guarded twice: ``Lifecycle.move`` in Python, a trigger in the database."""
