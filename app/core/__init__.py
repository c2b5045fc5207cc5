"""Infrastructure every feature uses: the database, audit trail, day lock, clock, errors, roles,
validation, identity numbers, passwords and keys, and the service base class.
"""
