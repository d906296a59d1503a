"""Request and response bodies of the API (pydantic models, adapter-only types), one module per resource."""
