"""The test run survives what killed it with INTERNALERROR: a finalizer that parses during a parse."""

from __future__ import annotations

import ast
import inspect


class _ParsesWhenCollected:
    """Freed only by the cyclic collector; its finalizer formats source as a traceback would."""

    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        ast.parse("x = (1 + 2) * f(y)")


def test_a_parse_survives_finalizers_that_parse() -> None:
    source = inspect.getsource(ast)  # large enough that a collection falls inside its construction
    for _ in range(30):
        garbage = [_ParsesWhenCollected() for _ in range(2000)]
        del garbage
        tree = ast.parse(source)  # without the guard (tests/conftest.py) this raises SystemError on 3.11
        assert isinstance(tree, ast.Module)
