"""PySide6 user interface: windows, pages, dialogs and Qt models (talks only to app/ services)."""
