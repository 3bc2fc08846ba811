"""Run folders, the case runner and the suite protocol."""
