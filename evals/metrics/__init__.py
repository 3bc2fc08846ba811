"""Pure metric functions: classification, ranking, text checks and bootstrap confidence intervals."""
