"""The audit log as people read it: labels for every action and the log page's queries."""
