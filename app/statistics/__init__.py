"""统计: period statistics and the monthly report."""
