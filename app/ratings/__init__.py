"""好差评: the citizen's rating on completion, the signature, the rating register."""
