"""Alembic migrations of the central server's database (run by ``intake.central.db.migrate``)."""
