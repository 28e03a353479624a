"""Alembic revision scripts, oldest first; a shipped revision is never edited."""
