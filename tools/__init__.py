"""Maintenance scripts (`python -m tools.screenshots`)."""
