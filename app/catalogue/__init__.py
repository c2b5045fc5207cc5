"""办事指南: the service catalogue, its materials and versions."""
