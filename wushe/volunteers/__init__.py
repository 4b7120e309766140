"""Volunteers: profiles with skills, shift flag and home area (grown by the volunteers issue)."""
