"""The read mix of bench/load.py, and what each of its pages costs in-process.

    .venv/bin/python bench/mix.py [--runs 5]

``USERS`` says which pages each simulated user of ``bench/locustfile.py``
reads: the links of its start page that match its patterns, plus the start
page itself, each equally often; the users' weights say how many of each.
The locustfile imports it from here, so the mix timed below is the one the
load test offers.

Run as a script (on the large demo), it fetches each page of the mix with
the test client, ``--runs`` times after one warm-up, under the same settings
as the load test's server (``bench/settings_bench.py``, ``DJANGO_DEBUG=0``),
and prints each page's share of the requests, its median time and its
contribution (share × time), beside the bare floor view. The weighted mean
over the floor is the saturation ratio the mix could reach if nothing but
the server's CPU limited it: it explains ``bench/load.py``'s "sider ÷ gulv".
``bench/load.py`` runs it after the load phases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LINK = re.compile(r'href="(/[^"#?]*/)"')


@dataclass(frozen=True)
class MixUser:
    username: str
    weight: int
    writes: bool
    page_patterns: tuple[str, ...]


USERS: dict[str, MixUser] = {
    u.username: u
    for u in (
        MixUser(
            "leder",
            4,
            True,
            (r"/disponering/botilbud/\d+/", r"/budget/botilbud/\d+/", r"/opfoelgning/\d+/botilbud/\d+/"),
        ),
        MixUser(
            "konsulent",
            3,
            True,
            (
                r"/disponering/botilbud/\d+/",
                r"/budget/botilbud/\d+/",
                r"/opfoelgning/\d+/botilbud/\d+/",
                r"/opfoelgning/",
            ),
        ),
        MixUser(
            "omraadeleder", 1, False, (r"/dashboard/", r"/dashboard/omraade/\d+/", r"/opfoelgning/\d+/omraade/\d+/")
        ),
        MixUser("fagchef", 2, False, (r"/dashboard/", r"/dashboard/omraade/\d+/", r"/opfoelgning/\d+/forvaltning/")),
    )
}


def pages_from(start_html: str, user: MixUser) -> list[str]:
    """The pages a user reads: its start page and the matching links on it."""
    links = sorted(set(LINK.findall(start_html)))
    return ["/"] + [link for link in links if any(re.fullmatch(p, link) for p in user.page_patterns)]


def name_of(url: str) -> str:
    return re.sub(r"/\d+/", "/<id>/", url)


def main() -> None:
    import argparse
    import os
    import statistics
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,testserver")
    import django

    django.setup()
    from django.test import Client

    from botilbud.models import User

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    def timed(client: Client, url: str) -> float:
        client.get(url)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                sys.exit(f"{url}: status {response.status_code}")
        return statistics.median(times)

    total_weight = sum(u.weight for u in USERS.values())
    rows: dict[str, list[float]] = {}  # name -> [share, summed time, count]
    mean = 0.0
    floor = None
    for user in USERS.values():
        client = Client()
        client.force_login(User.objects.get(username=user.username))
        if floor is None:
            floor = timed(client, "/__floor__/")
        pages = pages_from(client.get("/").content.decode(), user)
        share = user.weight / total_weight / len(pages)
        for url in pages:
            ms = timed(client, url)
            row = rows.setdefault(f"{user.username} {name_of(url)}", [0.0, 0.0, 0])
            row[0] += share
            row[1] += ms
            row[2] += 1
            mean += share * ms
    assert floor is not None
    print(f"Blandingen i processen (testklient, {args.runs} målinger pr. side, median):")
    print(f"  {'side':52} {'andel':>7} {'median':>9} {'bidrag':>9}")
    for name, (share, summed, count) in sorted(rows.items(), key=lambda kv: -kv[1][0] * kv[1][1] / kv[1][2]):
        ms = summed / count
        print(f"  {name[:52]:52} {share * 100:6.1f}% {ms:7.1f}ms {share * ms:7.1f}ms")
    print(f"  vægtet middel {mean:.1f} ms pr. side; gulv {floor:.1f} ms; gulv ÷ middel = {floor / mean:.2f}")


if __name__ == "__main__":
    main()
