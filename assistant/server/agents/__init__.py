"""The agent API: human agents work the handoff queue (and ask for drafted replies); operators register agents."""
