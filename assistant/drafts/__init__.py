"""Drafted replies for human agents.

For a conversation or a pasted ticket: a reply in the customer's language per
requested tone, with its sources, the customer's context (profile, recent
orders, previous contacts) and suggested next actions checked by the real
tools. The agent edits and sends it; what was sent is stored next to what was
drafted. `DraftService` (service.py) is the entry point; the HTTP routes are in
`assistant/server/agents/drafts_router.py`.
"""
