"""The store's standard operations: one module each, one registry (registry.py) the rest of the agent reads.

Kept free of imports so that a module of the package can be imported alone
(`decisions` reads the registry, the operations read nothing of `decisions`).
"""
