"""Alembic migrations of the metadata schema; ``expapi.schema`` runs them."""
