"""Operator API: start an ingestion in the background and follow its status."""
