"""SQLAlchemy 2 Core tables, migrations and repositories; the only package that imports SQLAlchemy."""
