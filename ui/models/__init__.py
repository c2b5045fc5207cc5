"""Models of the StationDesk user interface."""
