"""Retention: removing citizens' personal data once it is kept long enough."""
