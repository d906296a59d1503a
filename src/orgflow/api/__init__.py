"""The REST API (FastAPI): parse, authorise, call the runtime, render; no business rules here."""
