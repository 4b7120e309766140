"""Accounts: users, their role and the area they act in."""
