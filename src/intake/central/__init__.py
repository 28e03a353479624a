"""The central server: devices of each team push and pull profile revisions.

FastAPI on top of SQLAlchemy Core; PostgreSQL in production, SQLite as the embedded default so
``intake-central serve`` runs anywhere. The wire protocol is :mod:`intake.sync.protocol`.
"""
