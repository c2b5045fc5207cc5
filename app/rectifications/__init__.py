"""整改督办: the rectification every 差评 opens, worked by its owner (督办人) to 销号."""
