"""The human side of handoffs: agents, the handoff queue and the agent desk.

- `tables.py`: the `agents` and `handoffs` tables; `create_tables(engine)`.
- `queue.py`: `HandoffQueue.open_handoff(...)` (called by the agent turn), `active_for(...)`, routing, states.
- `priority.py`: the queue order and the skills a handoff needs.
- `agents.py`: `AgentRegistry` (registration, bearer tokens kept as hashes).
- `desk.py`: `AgentDesk`, what an agent does: claim, reply, resolve, hand back, approve or decline a write.
- `cli.py`: `assistant agents add|list`.

Modules are imported where they are used; importing the package builds nothing.
"""
