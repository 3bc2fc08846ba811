"""Load of the order look-up endpoint: N concurrent clients on loopback; requests/s, p50/p95, errors.

    python bench/commerce_load.py                       # seeds a temporary retail DB and starts its own service
    python bench/commerce_load.py --base-url http://127.0.0.1:8766 --api-key KEY   # an already running service

Each client is its own HTTP connection looping over the retail orders
(GET /v1/orders/{id}) until the request budget or the time limit is spent.
Bounded in count and time, loopback only, and it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _order_ids() -> list[str]:
    db = json.loads((REPO / "data" / "retail" / "db.json").read_text(encoding="utf-8"))
    return list(db["orders"])


async def _client(
    base_url: str,
    api_key: str,
    ids: list[str],
    offset: int,
    budget: list[int],
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=f"{base_url}/v1", headers=headers, timeout=10) as client:
        n = offset
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            order_id = ids[n % len(ids)]
            n += 7
            started = time.perf_counter()
            try:
                response = await client.get(f"/orders/{quote(order_id, safe='')}")
                if response.status_code != 200 or response.json()["order_id"] != order_id:
                    errors.append(f"{response.status_code} {order_id}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            latencies.append(time.perf_counter() - started)


async def run(base_url: str, api_key: str, clients: int, requests: int, seconds: float) -> dict[str, float]:
    ids = _order_ids()
    latencies: list[float] = []
    errors: list[str] = []
    budget = [requests]
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_client(base_url, api_key, ids, i, budget, deadline, latencies, errors) for i in range(clients)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="A running commerce service; default: start a seeded one on loopback.")
    parser.add_argument("--api-key", default="bench-commerce-key")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="Total requests (all clients together).")
    parser.add_argument("--seconds", type=float, default=60.0, help="Time limit of the run.")
    args = parser.parse_args()
    if args.base_url:
        report = asyncio.run(run(args.base_url, args.api_key, args.clients, args.requests, args.seconds))
    else:
        from commerce.database import open_database
        from commerce.process import CommerceProcess
        from commerce.seed import load_seed

        with tempfile.TemporaryDirectory(prefix="commerce-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'commerce.db'}"
            database = open_database(url)
            load_seed(database, "retail")
            database.dispose()
            with CommerceProcess(database_url=url, port=free_port(), api_key=args.api_key, cwd=Path(folder)) as service:
                asyncio.run(run(service.base_url, args.api_key, 5, 200, 30))  # warm-up
                report = asyncio.run(run(service.base_url, args.api_key, args.clients, args.requests, args.seconds))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
