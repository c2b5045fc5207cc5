"""Walk-in matters: registration, first-contact ownership and handover, the deadline clock, lists
and search, refusals.
"""
