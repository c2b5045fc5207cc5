"""Dialogs of the StationDesk user interface."""
