"""The agent-tasks suite of a shop: `--shop retail` (the default: tau2's retail and banking tasks) or `--shop
jd_appliances` (the Chinese appliance shop's own eval set, with `--split dev|test`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.errors import BadInputError

if TYPE_CHECKING:
    from evals.suites.base import Suite

SHOPS = ("retail", "jd_appliances")


def agent_tasks_suite(form: str | None = None, shop: str | None = None, split: str | None = None) -> Suite:
    if shop in (None, "retail"):
        if split is not None:
            raise BadInputError(
                "--split chooses a part of a shop's own eval set (--shop jd_appliances); the retail splits are "
                "bench/agent_tasks_bench.py's --split"
            )
        from evals.suites.agent_tasks import AgentTasksSuite

        return AgentTasksSuite() if form is None else AgentTasksSuite(form)
    if shop == "jd_appliances":
        from evals.suites.jd_tasks import JdTasksSuite

        return JdTasksSuite(form, split)
    raise BadInputError(f"unknown shop {shop!r}; shops with agent tasks: {', '.join(SHOPS)}")
