"""Benchmark: inbox, case list, search and events on the large data set (issue 10 item 4).

Run `python bench/scale_data.py` first (100,000 cases, 1,000,000 events in `zhifa_scale`). Each
request is sent through the Flask app in-process (no network), with varied pages and search terms,
and the median and p95 are printed per kind; the targets are p95 <= 50 ms for the inbox and
<= 100 ms for search.

    python bench/scale_reads.py               # 40 requests per kind
    python bench/scale_reads.py --requests 100
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402

from bench.scale_data import DATABASE, ROADS, SECRET, SURNAMES, url_of  # noqa: E402
from service import create_app  # noqa: E402


def _api(client: FlaskClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": username})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _signed_in(client: FlaskClient, username: str) -> FlaskClient:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token is not None
    form = {"username": username, "password": username, "csrf_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302
    return client


def _percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"median {1000 * statistics.median(ordered):6.1f} ms  p95 {1000 * p95:6.1f} ms  (n={len(ordered)})"


def measure(label: str, requests: int, send: Callable[[int], Any]) -> None:
    """Send `requests` requests (after one warm-up) and print their median and p95."""
    send(0)
    times = []
    for index in range(requests):
        started = time.perf_counter()
        response = send(index)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (label, response.status_code, response.get_data()[:300])
    print(f"{label:44} {_percentiles(times)}")


def main() -> None:
    """Time each kind of read."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--only", help="only the searches of this kind (e.g. '1 character')")
    args = parser.parse_args()
    n = args.requests
    rng = random.Random(4)  # noqa: S311  (benchmark input)
    config = {"DATABASE_URL": url_of(DATABASE), "SECRET_KEY": SECRET, "DEMO_MODE": True}
    app = create_app(config)  # demo mode: the generated users sign in with password = username
    client = app.test_client()
    officer, leader, auditor = _api(client, "officer1"), _api(client, "squad_leader"), _api(client, "auditor")
    typical = _api(client, "officer31")  # acted in ~3 % of the cases; sees ~25 % through the officer role

    def get(path: str, headers: dict[str, str]) -> Any:
        return client.get("/api/v1" + path, headers=headers)

    if not args.only:
        total = get("/tasks?per_page=1", officer).json["total"]
        print(f"officer1's inbox holds {total} open tasks; the data set: {url_of(DATABASE)}")
        measure(
            "inbox officer1 (page 1..40, counts)",
            n,
            lambda i: get(f"/tasks?per_page=25&page={1 + i}", officer),
        )
        measure(
            "inbox squad_leader team (page 1..40)", n, lambda i: get(f"/tasks?team=1&page={1 + i}", leader)
        )
        measure("inbox officer1 overdue", n, lambda i: get("/tasks?overdue=1", officer))
        measure(
            "case list officer1 (page 1..40)", n, lambda i: get(f"/process-instances?page={1 + i}", officer)
        )
        measure(
            "case list auditor (page 1..40)", n, lambda i: get(f"/process-instances?page={1 + i}", auditor)
        )

    def address(_i: int) -> str:
        return f"{rng.choice(ROADS)}路{rng.randint(1, 2000)}弄"

    def case_no(_i: int) -> str:
        return f"第{rng.randint(1, 99999):06d}号"

    def name(_i: int) -> str:  # two characters: no trigram; the bigram index (perfc_01)
        return rng.choice(SURNAMES) + rng.choice("伟芳娜敏静")

    def one_char(i: int) -> str:  # the character index (perfd_01): rare surnames, common road words, digits
        return (rng.choice(SURNAMES), rng.choice("路弄号室"), str(rng.randint(0, 9)))[i % 3]

    kinds = (
        ("address", address),
        ("case number", case_no),
        ("2-character name", name),
        ("1 character", one_char),
    )
    for kind, term in kinds:
        if args.only and args.only not in kind:
            continue
        for who, headers in (("auditor", auditor), ("officer1", officer), ("officer31", typical)):
            label = f"search {who} by {kind}"
            measure(label, n, lambda i, t=term, h=headers: get(f"/process-instances?text={t(i)}", h))
            measure(  # deeper pages of the same kind
                label + " p2-40",
                n,
                lambda i, t=term, h=headers: get(f"/process-instances?text={t(i)}&page={2 + i % 39}", h),
            )
    if args.only:
        app.extensions["zhifa.engine"].dispose()
        return
    measure("inbox search officer1 by address", n, lambda i: get(f"/tasks?text={address(i)}", officer))
    case_ids = [rng.randint(1, 100_000) for _ in range(n + 1)]
    measure(
        "events of a case (50 per page)",
        n,
        lambda i: get(f"/process-instances/{case_ids[i]}/events?per_page=50", auditor),
    )
    pages = _signed_in(app.test_client(), "officer1")
    measure("web /inbox officer1", n, lambda i: pages.get(f"/inbox?page={1 + i % 10}"))
    measure("web /cases officer1", n, lambda i: pages.get(f"/cases?page={1 + i % 10}"))
    app.extensions["zhifa.engine"].dispose()


if __name__ == "__main__":
    main()
