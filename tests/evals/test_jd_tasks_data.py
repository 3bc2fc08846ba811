"""The Chinese shop's eval set: every task passes the validator (against data/ecom_store and the shop's policy), the
split is kept, and the validator does catch what it promises to — each broken variant of a real task is reported with
the problem named. A malformed line is refused with its line and task id."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from assistant.errors import BadInputError
from evals.suites.datasets import REPO
from evals.suites.jd_task_check import check_tasks
from evals.suites.jd_task_model import CATEGORIES, JD_TASKS, load_jd_tasks, parse_tasks


def _raw() -> dict[str, dict[str, Any]]:
    lines = JD_TASKS.read_text(encoding="utf-8").splitlines()
    return {task["id"]: task for task in map(json.loads, lines)}


def test_the_eval_set_passes_its_validator() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "evals.suites.jd_task_check"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("0 problems in 0 tasks")
    tasks, problems = check_tasks()
    assert problems == {}
    assert len(tasks) >= 60


def test_the_split_keeps_a_test_part_covering_the_kinds_of_request() -> None:
    tasks = load_jd_tasks()
    dev, test = load_jd_tasks("dev"), load_jd_tasks("test")
    assert len(dev) + len(test) == len(tasks) and 0.6 <= len(dev) / len(tasks) <= 0.75
    assert all(t.id.startswith("jd-test-") for t in test) and all(t.id.startswith("jd-dev-") for t in dev)
    for part in (dev, test):
        assert {t.form for t in part} == {"one_message", "multi_turn"}
        assert {t.language for t in part} == {"zh", "en"}
        assert any(t.handoff for t in part)
    must = {
        "cancel", "cancel_refused", "address", "phone", "return", "return_refused", "exchange", "exchange_refused",
        "installation", "repair", "expedite", "price_protection", "price_protection_none", "ecard_balance", "place_order",
        "place_order_refused", "product", "promotion", "other_customer", "multi_request", "handoff",
    }  # fmt: skip
    assert must <= {t.category for t in test} and must <= {t.category for t in dev}
    assert {t.category for t in tasks} <= set(CATEGORIES)


def _broken(task_id: str, change: Callable[[dict[str, Any]], None]) -> list[str]:
    task = json.loads(json.dumps(_raw()[task_id]))
    change(task)
    _, problems = check_tasks(parse_tasks([json.dumps(task, ensure_ascii=False)]))
    return problems.get(task_id, [])


BROKEN = [
    ("jd-test-01", lambda t: t["expected"][1]["ecard_balance"].update(change=1898), "e-card change must be 1899"),
    ("jd-test-01", lambda t: t["expected"].pop(1), "e-card change must be 1899"),
    ("jd-test-02", lambda t: t.update(category="cancel", expected=[{"order": "427111317720", "status": "已取消"}]),
     "does not allow cancel in status 已发货"),
    ("jd-test-07", lambda t: t["expected"][1]["refused"].update(order="313157059869"), "is not one of"),
    ("jd-test-15", lambda t: t["expected"][0]["refund"].update(amount=419.0), "价保 refund of 312705335872 is 418.94"),
    ("jd-test-15", lambda t: t["expected"][0]["refund"].update(to="微信"), "original payment"),
    ("jd-test-16", lambda t: t["expected"][1]["refused"].update(order="307252585701"), "not one of"),
    ("jd-test-20", lambda t: t["required_facts"][0].update(any=["8年"]), "not in that data"),
    ("jd-test-18", lambda t: t["required_facts"][0].update(any=["450"]), "the data says 449"),
    ("jd-test-04", lambda t: t["expected"][0].update(address_contains="人民路1号"), "never given by the customer"),
    ("jd-test-05", lambda t: t["expected"][0].update(phone="13900001111"), "never given by the customer"),
    ("jd-test-12", lambda t: t["expected"][0]["appointment"].update(date_weekday=5), "never names weekday 5"),
    ("jd-test-08", lambda t: t["expected"][0]["exchange"].update(to="100148801499"), "not an on-sale product"),
    ("jd-test-09", lambda t: t["expected"][1]["refused"].update(to="100145632601"), "not listed, or listed on sale"),
    ("jd-test-19", lambda t: t.update(customer_id="cnjd林韵佩"), "e-card balance covers"),
    ("jd-test-24", lambda t: t.update(customer_id="cnjd喜哥2号"), "not another's order"),
    ("jd-test-01", lambda t: t.update(messages=["手机13900000000 取消311199856607"]), "neither theirs"),
    ("jd-test-01", lambda t: t.update(messages=["取消999999999999"]), "neither an order of orders.json nor a product"),
    ("jd-test-10", lambda t: t["expected"][0]["invoice"].update(tax_id="abc"), "tax id of 15-20"),
    ("jd-test-03", lambda t: t["script"]["known_info"].update(phone="15540534614"), "is not the account's"),
    ("jd-test-03", lambda t: t["script"]["requests"][0].update(must_mention=["311324806024"]), "must_mention"),
    ("jd-test-14", lambda t: t.update(customer_id="cnjdnobody"), "is not in users_info.json"),
    ("jd-test-25", lambda t: t.update(handoff=False), "expects a handoff"),
]  # fmt: skip


@pytest.mark.parametrize(("task_id", "change", "problem"), BROKEN)
def test_the_validator_names_what_is_wrong(task_id: str, change: Callable[[dict[str, Any]], None], problem: str) -> None:
    found = _broken(task_id, change)
    assert any(problem in line for line in found), found


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1 (task ?)"),
        ('{"id": "jd-dev-99", "split": "dev"}', "line 1 (task jd-dev-99)"),
        (json.dumps({**_raw()["jd-test-01"], "expected": [{"order": "311199856607", "colour": "red"}]}), "jd-test-01"),
        (json.dumps({**_raw()["jd-test-01"], "form": "multi_turn"}), "a multi_turn task has a script"),
        (json.dumps({**_raw()["jd-test-01"], "expected": [{"unchanged": True}, {"order": "1", "expedited": True}]}),
         "`unchanged` goes only with"),
    ],
)  # fmt: skip
def test_a_malformed_task_is_refused_with_its_line(line: str, message: str) -> None:
    with pytest.raises(BadInputError, match=re.escape(message)):
        parse_tasks([line])


def test_a_duplicated_id_is_refused() -> None:
    line = json.dumps(_raw()["jd-test-01"], ensure_ascii=False)
    with pytest.raises(BadInputError, match="used twice: jd-test-01"):
        parse_tasks([line, line])
