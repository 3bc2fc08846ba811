"""HTTP layer of the commerce service: thin routers over the services."""
