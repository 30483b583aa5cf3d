"""Users and groups keep Django's own admin; roles are groups kept in sync by ``roles.py``."""
