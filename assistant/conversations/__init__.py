"""Conversations and everything a turn did: messages, retrievals, LLM calls, tool calls, decisions, pending actions."""
