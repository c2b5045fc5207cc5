"""Widgets of the StationDesk user interface."""
