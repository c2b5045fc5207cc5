"""每日台账: the day's ledger, the chief's review, signature and lock, its exports and imports."""
