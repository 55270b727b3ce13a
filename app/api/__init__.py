"""HTTP edge: pydantic schemas and routes that translate between HTTP and the core."""
