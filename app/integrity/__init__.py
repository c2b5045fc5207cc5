"""Tamper-evidence: seals, chains, anchors and the checks that verify them."""
