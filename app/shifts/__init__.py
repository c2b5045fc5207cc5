"""交接班: what an officer leaves open at the end of a shift, kept or handed over."""
