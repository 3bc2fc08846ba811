"""The reference commerce service: order, logistics and CRM APIs over its own database.

A separate HTTP service (FastAPI + SQLAlchemy) that behaves like a shop's own
systems, seeded from the retail data set or the Chinese appliance store. The
assistant reaches it only through ``assistant.connectors``; shops replace it with
their own APIs behind the same connector interfaces.
"""
