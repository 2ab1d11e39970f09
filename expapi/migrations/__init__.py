"""Alembic migrations of the metadata schema; ``expapi.db_migrations`` runs them."""
