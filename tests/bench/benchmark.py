"""Page speed and weight of the public site, against its targets.

    .venv/bin/python tests/bench/benchmark.py [--markdown] [--seconds 10] [--rounds 10]

One run, in a temporary directory that is removed afterwards: a fresh SQLite database,
migrate, the shipped seeds, collectstatic, the production settings (debug off, plain HTTP).

a. Uncached render time of every public page, in this process through Django's whole handler
   (test Client), the page cache retired before each request: median and p90 of --renders.
b. Requests per second of the cached /Partnerships/ and of a static file of the same bytes
   served by WhiteNoise, through one gunicorn (same workers, same load generator: wrk when
   installed, else the keep-alive asyncio client of harness.py), warmed up, then alternated
   for --rounds rounds; the ratio is the median of the per-round ratios. Measured twice with
   the same gunicorn settings: with the default local-memory cache, then with Redis (a
   redis-server of the script's own on a free port, or --redis-url).
c. gzip -9 size of each page's HTML and of all CSS + JS the pages reference, and a check that
   no page loads anything from another host (external images are listed, not failed).

Exit status: 0 when every target is met, 1 when one is missed, 2 when the run itself failed.
"""

import argparse
import datetime
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import harness
import visitor_tools
from harness import HOST, Gunicorn, SiteEnvironment, log

TARGET_PAGE = "/Partnerships/"
TODAY = datetime.datetime.now(datetime.UTC).date().isoformat()  # the site is on UTC
# Issue 8's exploring pages: the profile of a platform with the most claims (all launch
# platforms have as many), a 4-platform compare, the chooser with needs ticked.
NEED = "personalized-engagement.personal-engagement-across-social-networks."
EXPLORE_PAGES = [
    "/platforms/",
    "/platforms/tiktok/",
    "/platforms/tiktok/timeline/",
    # Issue 14's day and its changes together (the launch content's history is of today).
    f"/platforms/tiktok/?as_of={TODAY}&since={TODAY}",
    f"/compare/facebook-vs-telegram-vs-slack-vs-tiktok/?as_of={TODAY}&since={TODAY}",
    "/capabilities/",
    f"/capabilities/{NEED.replace('.', '/')}monetization-for-creators/",
    "/compare/",
    "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/",
    "/compare/facebook-vs-telegram-vs-slack-vs-tiktok/differences/",
    "/choose/",
    f"/choose/?need={NEED}live-engagement-streaming-spaces-etc&need={NEED}monetization-for-creators",
    "/about/",
    # Every other kind of page a visitor or a feed reader waits for.
    "/search/?q=encryption",
    "/changes/",
    "/changes/tiktok/",
    "/changes/feed/",
    "/feeds/",
    "/data/",
    "/data/all.json",
    "/data/tables/Partnerships/partnership-comparison-table.csv",
    "/embed/Partnerships/partnership-comparison-table/",
    "/sitemap/",
]
STATIC_COPY = "bench/partnerships-copy.html"
# Issue 16's budgets: plain code is worth more than the last milliseconds.
TARGETS = {
    "render_ms": 25.0,  # every page uncached, median, at 1× content
    "queries": 8,  # every page uncached
    "cached_vs_static": 1.0,
    "page_gzip": 15 * 1024,  # /Partnerships/ HTML
    "assets_gzip": 12 * 1024,  # all CSS + JS
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--renders", type=int, default=30, help="timed renders per page (≥30)")
    parser.add_argument("--seconds", type=int, default=10, help="load seconds per target")
    parser.add_argument("--rounds", type=int, default=10, help="alternations of the two targets")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per target")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--redis-url",
        help="for the Redis measurement use this database instead of a redis-server of the "
        "script's own, e.g. redis://127.0.0.1:6379/15; it is FLUSHED before and after",
    )
    parser.add_argument("--no-redis", action="store_true", help="measure with local memory only")
    parser.add_argument(
        "--client", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="also print cProfile's top N "
        "functions (cumulative) of uncached /Partnerships/ renders",
    )  # fmt: skip
    args = parser.parse_args()
    args.renders = max(30, args.renders)
    args.rounds = max(1, args.rounds)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk), use --client python")
    return args


# --- a. uncached renders -------------------------------------------------------------------


def measure_renders(paths, host, renders):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sitecontent.page_cache import retire_pages

    client = Client(HTTP_HOST=host)
    results = {}
    for path in paths:
        for _ in range(3):  # warm-up: template loader, URL resolver, first connection
            retire_pages()
            client.get(path)
        retire_pages()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        query_count = len(queries.captured_queries)  # read now: each request resets the log
        if not query_count:
            raise RuntimeError(f"{path}: no query after retire_pages(), so not uncached")
        timings, cpu = [], []
        for _ in range(renders):
            retire_pages()  # retires every cached page: the next request renders
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        results[path] = {
            "median": statistics.median(timings),
            "p90": harness.percentile(timings, 0.9),
            "cpu": statistics.median(cpu),
            "queries": query_count,
            "html": response.content,
        }
    return results


def profile_render(path, host, renders, top):
    import cProfile
    import io
    import pstats

    from django.test import Client

    from sitecontent.page_cache import retire_pages

    client = Client(HTTP_HOST=host)
    profiler = cProfile.Profile()
    for _ in range(renders):
        retire_pages()
        profiler.enable()
        client.get(path)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# --- b. cached page vs static file ---------------------------------------------------------

WRK_FIGURES = {
    "rps": re.compile(r"Requests/sec:\s+([\d.]+)"),
    "requests": re.compile(r"(\d+) requests in"),
    "non2xx": re.compile(r"Non-2xx or 3xx responses:\s+(\d+)"),
    "socket": re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"),
}


def run_wrk(url, seconds, connections):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rps = WRK_FIGURES["rps"].search(output)
    requests = WRK_FIGURES["requests"].search(output)
    if not rps or not requests:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    non2xx = WRK_FIGURES["non2xx"].search(output)
    socket_errors = WRK_FIGURES["socket"].search(output)
    errors = int(non2xx.group(1)) if non2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return float(rps.group(1)), int(requests.group(1)), errors


def run_python(port, path, seconds, connections):
    result = harness.run_load([port], [path], connections, seconds)
    return result.rps, result.requests, result.errors


def cpu_seconds(master_pid):
    """User + system CPU seconds used so far by a gunicorn master and its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(entry.name) == master_pid or int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def measure_throughput(server, args):
    targets = {"cached": TARGET_PAGE, "static": f"/static/{STATIC_COPY}"}
    pid = server.process.pid

    def run(name, seconds):
        path = targets[name]
        cpu_before = cpu_seconds(pid)
        if args.client == "wrk":
            url = f"http://{HOST}:{server.port}{path}"
            rps, requests, errors = run_wrk(url, seconds, args.connections)
        else:
            rps, requests, errors = run_python(server.port, path, seconds, args.connections)
        if errors:
            raise RuntimeError(f"{errors} failed request(s) on {path}")
        return rps, requests, cpu_seconds(pid) - cpu_before

    for name in targets:
        run(name, args.warmup)
    per_round = max(1, round(args.seconds / args.rounds))
    rounds = []
    for index in range(args.rounds):
        order = ["cached", "static"] if index % 2 == 0 else ["static", "cached"]
        figures = {name: run(name, per_round) for name in order}
        rounds.append(figures)
        log(
            f"round {index + 1}/{args.rounds}: cached {figures['cached'][0]:.0f} req/s, "
            f"static {figures['static'][0]:.0f} req/s"
        )

    def per_cpu_second(name):
        requests = sum(r[name][1] for r in rounds)
        cpu = sum(r[name][2] for r in rounds)
        return requests / cpu if cpu else 0.0

    return {
        "cached": statistics.median(r["cached"][0] for r in rounds),
        "static": statistics.median(r["static"][0] for r in rounds),
        "ratio": statistics.median(r["cached"][0] / r["static"][0] for r in rounds),
        "cached_cpu": per_cpu_second("cached"),
        "static_cpu": per_cpu_second("static"),
        "rounds": [{name: r[name][0] for name in r} for r in rounds],
        "seconds": per_round,
    }


# --- c. weight and hosts -------------------------------------------------------------------

ASSET_RELS = {"stylesheet", "modulepreload"}
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""", re.I)


def gz(data):
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def is_foreign(url, own_hosts):
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") or url.startswith("//"):
        return parts.hostname not in own_hosts
    return False


def measure_weight(server, paths, host):
    own_hosts = {HOST, "localhost"}
    pages, assets, foreign, external_images = {}, {}, [], []
    for path in paths:
        status, _, body = harness.http_get(server.port, path, {"Host": host})
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        pages[path] = {"bytes": len(body), "gzip": gz(body)}
        html = body.decode("utf-8")
        page_url = f"http://{HOST}{path}"
        for tag, attrs in harness.loading_tags(html):
            url = attrs.get("src") or attrs.get("href") or attrs.get("data") or ""
            if not url:
                continue
            rels = set(attrs.get("rel", "").lower().split())
            is_asset = tag == "script" or bool(rels & ASSET_RELS)
            is_asset |= "preload" in rels and attrs.get("as") in ("script", "style")
            if is_foreign(url, own_hosts):
                if tag in ("img", "source") and not is_asset:
                    external_images.append((path, url))
                else:
                    foreign.append((path, tag, url))
            elif is_asset:
                assets.setdefault(urlsplit(urljoin(page_url, url)).path, set()).add(path)
    asset_sizes = {}
    pending = sorted(assets)
    while pending:
        asset = pending.pop(0)
        status, headers, body = harness.http_get(server.port, asset)
        if status != 200:
            raise RuntimeError(f"{asset} answered {status}")
        asset_sizes[asset] = {"bytes": len(body), "gzip": gz(body)}
        if "css" in headers.get("content-type", ""):
            css = body.decode("utf-8", "replace")
            for url in CSS_URL.findall(css) + CSS_IMPORT.findall(css):
                if is_foreign(url, own_hosts):
                    foreign.append((asset, "css url()", url))
            for url in CSS_IMPORT.findall(css):  # imported stylesheets count as CSS too
                imported = urlsplit(urljoin(f"http://{HOST}{asset}", url)).path
                if imported not in asset_sizes and imported not in pending:
                    pending.append(imported)
    return {
        "pages": pages,
        "assets": asset_sizes,
        "assets_gzip": sum(a["gzip"] for a in asset_sizes.values()),
        "foreign": foreign,
        "external_images": external_images,
    }


# --- report --------------------------------------------------------------------------------


def kb(n):
    return f"{n / 1024:.1f} KB"


def table(headers, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(lines)
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(args, context, renders, throughput, weight, copy_bytes):
    md = args.markdown
    h = "### " if md else "== "
    out = []
    out.append(f"{h}Environment")
    out.append(
        table(
            ["item", "value"],
            [
                [
                    "machine",
                    f"{context['cpus']} CPUs, load average {context['load']}; reference loop "
                    f"{context['reference_loop']:.2f} s (see reference_loop())",
                ],
                ["software", context["versions"]],
                ["settings", "sitecontent.settings.production (STATIC_ROOT in a temp dir)"],
                [
                    "database / page cache",
                    "SQLite (temporary file) / "
                    + ", then ".join(f"{name} ({url})" for name, url in context["caches"]),
                ],
                [
                    "gunicorn",
                    f"{args.workers} workers, {args.worker_class}"
                    + (f", {args.threads} threads" if args.worker_class == "gthread" else ""),
                ],
                ["load generator", context["client"]],
            ],
            md,
        )
    )
    out.append("")
    out.append(f"{h}a. Uncached render (whole Django handler, page cache retired each time)")
    rows = [
        [path, f"{r['median']:.1f}", f"{r['p90']:.1f}", f"{r['cpu']:.1f}", r["queries"]]
        for path, r in renders.items()
    ]
    headers = ["page", "median ms", "p90 ms", "median CPU ms", "SQL queries"]
    out.append(table(headers, rows, md))
    out.append("")
    out.append(
        f"{args.renders} timed renders per page after 3 untimed; CPU ms is this process's CPU "
        "time (SQLite included), which a busy machine inflates less than wall time."
    )
    out.append("")
    out.append(f"{h}b. Cached page vs static file, requests/s through one gunicorn")
    for name, t in throughput.items():
        rows = [
            [
                f"cached {TARGET_PAGE}",
                f"{weight['pages'][TARGET_PAGE]['bytes']} B",
                f"{t['cached']:.0f}",
                f"{t['cached_cpu']:.0f}",
                " ".join(f"{r['cached']:.0f}" for r in t["rounds"]),
            ],
            [
                f"static /static/{STATIC_COPY} (WhiteNoise)",
                f"{copy_bytes} B",
                f"{t['static']:.0f}",
                f"{t['static_cpu']:.0f}",
                " ".join(f"{r['static']:.0f}" for r in t["rounds"]),
            ],
            [
                "ratio cached / static",
                "",
                f"{t['ratio']:.3f}",
                f"{t['cached_cpu'] / t['static_cpu']:.3f}" if t["static_cpu"] else "n/a",
                "",
            ],
        ]
        headers = [
            f"page cache: {name}",
            "body",
            "req/s",
            "req per server CPU s",
            f"rounds of {t['seconds']} s",
        ]
        out.append(table(headers, rows, md))
        out.append("")
    out.append(
        "req/s: median of the rounds (ratio: median of per-round ratios); req per server CPU s: "
        "all rounds' requests / CPU time of the gunicorn processes."
    )
    out.append("")
    out.append(f"{h}c. Weight (gzip -9)")
    rows = [[p, w["bytes"], w["gzip"], kb(w["gzip"])] for p, w in weight["pages"].items()]
    rows += [[a, w["bytes"], w["gzip"], kb(w["gzip"])] for a, w in weight["assets"].items()]
    rows.append(["all CSS + JS", "", weight["assets_gzip"], kb(weight["assets_gzip"])])
    out.append(table(["resource", "bytes", "gzip bytes", "gzip"], rows, md))
    foreign = weight["foreign"]
    images = weight["external_images"]
    out.append("")
    out.append(
        "Other hosts in link/script/embeds: "
        + ("none" if not foreign else "; ".join(f"{p} <{t}> {u}" for p, t, u in foreign))
    )
    out.append("")
    out.append(
        "External images (allowed): "
        + ("none" if not images else "; ".join(f"{p}: {u}" for p, u in images))
    )
    page_gz = weight["pages"][TARGET_PAGE]["gzip"]
    slowest = max(renders, key=lambda path: renders[path]["median"])
    most_queries = max(renders, key=lambda path: renders[path]["queries"])
    checks = [
        (
            f"every page uncached, median ≤ {TARGETS['render_ms']:.0f} ms (slowest: {slowest})",
            f"{renders[slowest]['median']:.1f} ms",
            renders[slowest]["median"] <= TARGETS["render_ms"],
        ),
        (
            f"every page ≤ {TARGETS['queries']} SQL queries (most: {most_queries})",
            str(renders[most_queries]["queries"]),
            renders[most_queries]["queries"] <= TARGETS["queries"],
        ),
        *(
            (
                f"cached ≥ {TARGETS['cached_vs_static']} × static, {name}",
                f"{t['ratio']:.3f} ×",
                t["ratio"] >= TARGETS["cached_vs_static"],
            )
            for name, t in throughput.items()
        ),
        (
            f"{TARGET_PAGE} HTML ≤ {kb(TARGETS['page_gzip'])} gzipped",
            kb(page_gz),
            page_gz <= TARGETS["page_gzip"],
        ),
        (
            f"CSS + JS ≤ {kb(TARGETS['assets_gzip'])} gzipped",
            kb(weight["assets_gzip"]),
            weight["assets_gzip"] <= TARGETS["assets_gzip"],
        ),
        ("no CSS/JS/embeds from other hosts", f"{len(foreign)} found", not foreign),
    ]
    out.append("")
    out.append(f"{h}Targets")
    rows = [[name, value, "PASS" if ok else "FAIL"] for name, value, ok in checks]
    out.append(table(["target", "measured", "result"], rows, md))
    print("\n".join(out), flush=True)
    return all(ok for _, _, ok in checks)


def flush_redis(url):
    if url:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5)
        client.flushdb()
        client.close()


def reference_loop():
    """Seconds for 10 M Python additions, best of three: the same machine's speed swings 2×
    (0.51 to 1.46 s seen), so figures from two runs compare only beside this one."""
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - start)
    return best


def versions():
    from importlib.metadata import version

    return (
        f"Python {platform.python_version()}, Django {version('django')}, "
        f"gunicorn {version('gunicorn')}, WhiteNoise {version('whitenoise')}"
    )


def main():
    args = parse_args()
    measurements = 1 if args.no_redis else 2
    budget = 180 + measurements * (2 * (args.seconds + args.warmup) + args.rounds * 5)
    harness.install_time_budget(budget + args.renders * 2)
    server = redis_server = None
    throughput = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        try:
            database = f"sqlite:///{Path(workdir) / 'db.sqlite3'}"
            site = SiteEnvironment(workdir, database)
            log(f"workdir {workdir}: migrate, import seeds, collectstatic")
            site.activate()
            log(site.prepare_content().strip().replace("\n", " | "))
            paths = harness.public_paths() + EXPLORE_PAGES

            # The server's port is known now, so the in-process renders carry the same Host
            # as its responses, and the static copy has exactly the page's bytes.
            port = harness.free_port()
            host = f"{HOST}:{port}"
            log(f"a. uncached renders: {args.renders} per page")
            renders = measure_renders(paths, host, args.renders)
            profile = ""
            if args.profile:
                profile = profile_render(TARGET_PAGE, host, args.renders, args.profile)
            copy = site.static_root / STATIC_COPY
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(renders[TARGET_PAGE]["html"])  # before start: WhiteNoise scans once

            from django.db import connections

            connections.close_all()
            caches = [("local memory", "per worker")]
            if not args.no_redis:
                redis_url = args.redis_url
                if not redis_url:
                    redis_server = harness.RedisServer(workdir).start()
                    redis_url = redis_server.url
                flush_redis(redis_url)
                caches.append(("Redis", redis_url))
            for name, url in caches:
                variant = site.with_overrides(REDIS_URL=url if name == "Redis" else "")
                server = Gunicorn(
                    "bench", variant, args.workers, args.worker_class, args.threads, port
                )
                server.start()
                body = check_server(server, host, copy)
                log(f"b. throughput, {name} page cache, {args.client}, {args.connections} conn.")
                throughput[name] = measure_throughput(server, args)
                if name == "local memory":
                    log("c. weight and hosts")
                    weight = measure_weight(server, paths, host)
                server.stop()
                server = None
            log("d. visitors' tools (search, open data, change log; tests/bench/visitor_tools.py)")
            visitors = visitor_tools.measure(host, args.renders, history=100)
        except BaseException:
            if server is not None and server.process is not None:
                log(f"gunicorn log tail:\n{server.log_tail()}")
            raise
        finally:
            if server is not None:
                server.stop()
            if args.redis_url:
                flush_redis(args.redis_url)
            if redis_server is not None:
                redis_server.stop()
            harness.cancel_time_budget()
    context = {
        "cpus": os.cpu_count(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "reference_loop": reference_loop(),
        "versions": versions(),
        "caches": caches,
        "client": (
            f"wrk -t2 -c{args.connections}"
            if args.client == "wrk"
            else f"asyncio keep-alive client, {args.connections} connections"
        ),
    }
    ok = report(args, context, renders, throughput, weight, len(body))
    ok = visitor_tools.print_report(visitors, args.markdown) and ok
    if profile:
        print(f"\ncProfile of {args.renders} uncached {TARGET_PAGE} requests:\n{profile}")
    return 0 if ok else 1


def check_server(server, host, copy):
    """The page and the static copy answer, the copy byte for byte; returns the copy."""
    status, _, page = harness.http_get(server.port, TARGET_PAGE, {"Host": host})
    status_copy, headers, body = harness.http_get(server.port, f"/static/{STATIC_COPY}")
    if status != 200 or status_copy != 200:
        raise RuntimeError(f"page answered {status}, static copy {status_copy}")
    if "content-encoding" in headers or len(body) != copy.stat().st_size:
        raise RuntimeError("WhiteNoise did not serve the static copy as written")
    log(f"page {len(page)} B via gunicorn, static copy {len(body)} B via WhiteNoise")
    return body


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        print("benchmark did not complete", file=sys.stderr)
        sys.exit(2)
