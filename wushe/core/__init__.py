"""Shared foundations: base models, errors, the action log, scoping, background jobs, demo hooks."""
