"""The conversation turn: understand, retrieve, decide, act through tools, reply, record."""
