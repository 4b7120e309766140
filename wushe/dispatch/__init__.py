"""Dispatch: the right helper for every task. ``engine`` is a pure routing library; the Django
side (dispatch rounds, proposals, approval) adapts the platform's models to it."""
