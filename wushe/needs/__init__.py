"""Needs: requests for help, their triage (life first, vulnerable first, urgent first), the
tasks that answer them and each volunteer's part."""
