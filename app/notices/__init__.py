"""一次性告知单: the one-time notice of missing materials, its printing and the materials
brought back.
"""
