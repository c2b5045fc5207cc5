"""The station: settings, keys, the shared server, moving a station, this workstation's setup and
release notes.
"""
