"""办件档案: one matter's whole history as a printable case file."""
