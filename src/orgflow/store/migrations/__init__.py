"""Alembic migrations for the OrgFlow schema; run them with :func:`orgflow.store.migrate.upgrade`."""
