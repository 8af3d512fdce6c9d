"""The grid editor's budgets (issue 17), run by hand: HTML size, load time and save time of a
40 × 40 and a 200 × 50 table through Django's whole handler (the test client), on a fresh SQLite
database in a temporary directory.

    .venv/bin/python tests/bench/grid_bench.py [--rounds 5]

Each GET and each POST is timed `--rounds` times; the median is printed. A grid of more than
2,000 cells is shown a page of rows at a time: the GET is its first page's, and all its pages are
timed too, one after the other (the load budget holds for both). A POST changes 10 cells' notes,
as the page's script sends it (only the changed cells and the version map) and as a browser
without JavaScript does (the whole form of the page). Exit status 1 when a budget is missed.
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# (rows, columns): (load seconds, load KB, save seconds of 10 changed cells)
BUDGETS = {(40, 40): (1.0, 400, 0.3), (200, 50): (3.0, None, 0.5)}


def setup_django(folder):
    sys.path.insert(0, str(REPO))
    os.environ["DJANGO_SETTINGS_MODULE"] = "sitecontent.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_CONTENT_GENERATION_FILE"] = str(Path(folder) / ".generation")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def errors_of(html):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    return [" ".join(e.get_text(" ").split()) for e in soup.select(".errornote, .messagelist li")]


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def measure(client, table, rounds, modes):
    from bs4 import BeautifulSoup
    from django.conf import settings
    from django.urls import reverse

    from platforms.models import Cell
    from tests.conftest import form_fields  # what a browser without JavaScript submits

    url = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    cells = list(Cell.objects.filter(capability__table=table).order_by("pk")[:10])
    loads, sizes, saves = [], [], {mode: [] for mode in modes}
    for number in range(rounds):
        for mode, times in saves.items():
            seconds, response = timed(lambda: client.get(url))
            assert response.status_code == 200, response.status_code
            loads.append(seconds)
            sizes.append(len(response.content))
            gzipped = len(gzip.compress(response.content))
            whole = form_fields(response.content, "form.grid-editor")
            changed = {}
            for cell in cells:
                prefix = f"cell-{cell.capability_id}-{cell.row_id}"
                cell_fields = {k: v for k, v in whole.items() if k.startswith(f"{prefix}-")}
                changed |= {**cell_fields, f"{prefix}-note": f"Round {number} {mode}"}
            if mode == "changed only":
                data = {"version": whole["version"], **changed}
            else:
                data = {**whole, **changed}
                fields = len(data)
                if fields > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
                    continue  # Django refuses it whole (400): not a save to time
            seconds, response = timed(lambda data=data: client.post(url, data))
            assert response.status_code == 302, errors_of(response.content)
            times.append(seconds)
    saved = Cell.objects.filter(pk__in=[c.pk for c in cells], note__startswith="Round").count()
    assert saved == len(cells), saved
    pages = BeautifulSoup(client.get(url).content, "lxml").select(".grid-pages a")
    every = [timed(lambda href=a["href"]: client.get(url + href))[0] for a in pages]
    return {
        "load_s": statistics.median(loads),
        "pages": 1 + len(pages),
        "all_pages_s": statistics.median(loads) + sum(every),
        "kb": statistics.median(sizes) / 1024,
        "gzip_kb": gzipped / 1024,
        "save_s": {mode: statistics.median(times) for mode, times in saves.items() if times},
        "fields_whole": fields,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--whole-form-only", action="store_true", help="for a server that needs the whole form"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grid-bench-") as folder:
        setup_django(folder)
        from django.contrib.auth import get_user_model
        from django.test import Client

        from tests.big_tables import build_table

        user = get_user_model().objects.create_superuser("bench", "b@example.org", "x")
        client = Client()
        client.force_login(user)
        missed = []
        for (rows, columns), (load_budget, kb_budget, save_budget) in BUDGETS.items():
            table = build_table(rows, columns, f"bench-{rows}x{columns}")
            modes = ["whole form"] if args.whole_form_only else ["changed only", "whole form"]
            result = measure(client, table, args.rounds, modes)
            saves = result["save_s"]
            posts = ", ".join(f"{mode} {seconds * 1000:.0f} ms" for mode, seconds in saves.items())
            if "whole form" not in saves:
                posts += f"; whole form refused ({result['fields_whole']} fields > the limit)"
            pages = ""
            if result["pages"] > 1:
                pages = f" (its first of {result['pages']} pages; all pages"
                pages += f" {result['all_pages_s'] * 1000:.0f} ms)"
            print(
                f"{rows} × {columns}: {result['kb']:.0f} KB HTML ({result['gzip_kb']:.0f} KB"
                f" gzipped), GET {result['load_s'] * 1000:.0f} ms{pages}"
                f"; POST of 10 changed cells: {posts} (whole form: {result['fields_whole']} fields)"
            )
            if max(result["load_s"], result["all_pages_s"]) > load_budget:
                missed.append(f"{rows} × {columns} load > {load_budget} s")
            if kb_budget and result["kb"] > kb_budget:
                missed.append(f"{rows} × {columns} HTML > {kb_budget} KB")
            if min(saves.values()) > save_budget:
                missed.append(f"{rows} × {columns} save > {save_budget} s")
        print("budgets met" if not missed else "missed: " + "; ".join(missed))
        return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
