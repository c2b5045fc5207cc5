"""Use cases, rules, permissions, audit and the command line of StationDesk (no Qt)."""
