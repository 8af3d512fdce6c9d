"""Budgets of the visitors' tools (issue 11): search, the whole-dataset JSON, the change log.

    .venv/bin/python tests/bench/visitor_tools.py [--database-url URL] [--scale 10] [--markdown]

A standalone run builds `--scale` copies of the launch content (each seed imported again under
another permalink and title) in the given database, which it empties first, then measures
through Django's whole handler (test Client, production settings) with the page cache retired
before each uncached request:

- search: median and p90 of /search/?q=… over several queries, and its SQL query count;
- /data/all.json: uncached median, then cached median;
- /changes/: SQL queries with a short history and after --history more cell changes.

Defaults to the PostgreSQL database pc_issue_11 (it is DROPPED and created again).
benchmark.py also calls measure() on its own run (SQLite, launch content).
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import harness
from harness import HOST, SiteEnvironment, log

SEARCHES = ["encrypted", "partnerships", "advertising", "privacy", "live streaming"]
TARGETS = {"search_ms": 30.0, "search_queries": 8, "data_ms": 50.0, "changes_queries": 8}


def scaled_seeds(target, scale):
    """Write the shipped seeds `scale` times into `target`, each copy its own page/article."""
    seeds = sorted((harness.REPO / "sitecontent" / "seeds").glob("*.txt"))
    for copy in range(scale):
        for seed in seeds:
            lines = seed.read_bytes().split(b"\n")
            for i, line in enumerate(lines):
                if copy and line.startswith(b"permalink:"):
                    lines[i] = re.sub(rb"/\s*$", f"-copy-{copy}/".encode(), line.rstrip())
                elif copy and line.startswith(b"title:"):
                    line = line.rstrip()
                    quoted = line.endswith((b'"', b"'"))
                    suffix = f" (copy {copy})".encode()
                    lines[i] = line[:-1] + suffix + line[-1:] if quoted else line + suffix
            (target / f"{copy:03d}-{seed.name}").write_bytes(b"\n".join(lines))


def timed(client, path, renders, uncached=True):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sitecontent.page_cache import retire_pages

    for _ in range(3):
        client.get(path)
    timings = []
    for _ in range(renders):
        if uncached:
            retire_pages()
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    if uncached:
        retire_pages()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return timings, len(queries.captured_queries)


def change_cells(count):
    from platforms.models import Cell

    for cell in Cell.objects.exclude(note="").order_by("pk")[:count]:
        cell.note = f"{cell.note} (checked again)"
        cell.save()


def measure(host, renders=30, history=500):
    """{figure: value} for the budgets above, on the content already in the database."""
    from django.test import Client

    # The page cache keys on the host with the port the server listens on: say which it is.
    port = host.rpartition(":")[2] if ":" in host else "80"
    client = Client(HTTP_HOST=host, SERVER_PORT=port)
    search_times, search_queries = [], 0
    for words in SEARCHES:
        times, queries = timed(client, f"/search/?q={words.replace(' ', '+')}", renders)
        search_times += times
        search_queries = max(search_queries, queries)
    data_times, data_queries = timed(client, "/data/all.json", renders)
    cached_times, _ = timed(client, "/data/all.json", renders, uncached=False)
    change_cells(20)
    _, changes_short = timed(client, "/changes/", 5)
    change_cells(history)
    changes_times, changes_long = timed(client, "/changes/", renders)
    from platforms.models import Cell

    return {
        "cells": Cell.objects.count(),
        "search_median": statistics.median(search_times),
        "search_p90": harness.percentile(search_times, 0.9),
        "search_queries": search_queries,
        "data_median": statistics.median(data_times),
        "data_cached_median": statistics.median(cached_times),
        "data_queries": data_queries,
        "data_bytes": len(client.get("/data/all.json").content),
        "changes_queries_short": changes_short,
        "changes_queries_long": changes_long,
        "changes_median": statistics.median(changes_times),
        "history": Cell.history.count(),
    }


def report_rows(found):
    """[(target, measured, passed)] for the summary table."""
    return [
        (f"search median ≤ {TARGETS['search_ms']:.0f} ms ({found['cells']} cells)",
         f"{found['search_median']:.1f} ms (p90 {found['search_p90']:.1f})",
         found["search_median"] <= TARGETS["search_ms"]),
        (f"search ≤ {TARGETS['search_queries']} queries", str(found["search_queries"]),
         found["search_queries"] <= TARGETS["search_queries"]),
        (f"/data/all.json uncached median ≤ {TARGETS['data_ms']:.0f} ms",
         f"{found['data_median']:.1f} ms ({found['data_queries']} queries, "
         f"{found['data_bytes'] // 1024} KB); cached {found['data_cached_median']:.1f} ms",
         found["data_median"] <= TARGETS["data_ms"]),
        (f"/changes/ ≤ {TARGETS['changes_queries']} queries whatever the history",
         f"{found['changes_queries_short']} → {found['changes_queries_long']} queries "
         f"({found['history']} history rows), {found['changes_median']:.1f} ms",
         max(found["changes_queries_short"], found["changes_queries_long"])
         <= TARGETS["changes_queries"]),
    ]  # fmt: skip


def print_report(found, markdown=False):
    rows = report_rows(found)
    if markdown:
        print("\n| target | measured | result |\n| --- | --- | --- |")
        for target, measured, passed in rows:
            print(f"| {target} | {measured} | {'pass' if passed else 'MISS'} |")
    else:
        for target, measured, passed in rows:
            print(f"{'pass' if passed else 'MISS'}  {target}: {measured}")
    return all(passed for _t, _m, passed in rows)


def recreate_database(url):
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/pc_issue_11")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--history", type=int, default=500)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    recreate_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-visitors-") as workdir:
        seeds = Path(workdir) / "seeds"
        seeds.mkdir()
        scaled_seeds(seeds, args.scale)
        site = SiteEnvironment(workdir, args.database_url, args.redis_url)
        site.activate()
        log(f"migrate, import {args.scale}× the seeds, collectstatic")
        site.migrate()
        from django.core.management import call_command

        call_command("import_markdown", str(seeds), verbosity=0)
        site.collectstatic()
        found = measure(HOST, args.renders, args.history)
    return 0 if print_report(found, args.markdown) else 1


if __name__ == "__main__":
    sys.exit(main())
