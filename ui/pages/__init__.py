"""Pages of the StationDesk user interface."""
