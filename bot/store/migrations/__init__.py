"""Alembic migrations for the store (and the scheduler's tables), run programmatically."""
