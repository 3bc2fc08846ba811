"""Packaged calibrated weights of the escalation decision (weights.toml)."""
