"""Ingestion: load product docs, policies and resolved tickets, scrub personal data, split, embed, upsert into Chroma."""
