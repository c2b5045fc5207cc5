"""The holiday calendar that deadlines in working days are counted against."""
