"""DAGs: their definition, the files they are read from, and loading them into the database."""
