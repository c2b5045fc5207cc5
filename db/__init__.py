"""Storage layer: SQLAlchemy models, engine and Alembic migrations (no Qt, no app)."""
