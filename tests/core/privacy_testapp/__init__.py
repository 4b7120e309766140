"""A test-only app whose model exercises the protected-data fields (installed by test settings)."""
