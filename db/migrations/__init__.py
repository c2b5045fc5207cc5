"""Alembic migrations of the StationDesk schema, applied from code at start-up."""
