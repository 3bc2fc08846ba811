"""Business logic of the commerce service, one module per domain."""
