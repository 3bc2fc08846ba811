"""The customer chat service (assistant/chat/service.py)."""
