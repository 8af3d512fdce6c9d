"""The importer's limits (issue 18), run by hand: hostile and big documents previewed (dry run)
and imported on a fresh SQLite database in a temporary directory.

    .venv/bin/python tests/bench/import_bench.py [--rounds 3]

Budget: any document of up to 1 MB previews in ≤ 1 s; imported (written, with its history) in
≤ 1.5 s. The median of --rounds is printed. Exit status 1 when a budget is missed.
"""

import argparse
import statistics
import sys
import tempfile
import time

from grid_bench import setup_django

FRONT = "---\ntitle: Bench page\npermalink: /bench/\npublish_date: 2020-01-01\n---\n"
BUDGETS = {"preview": 1.0, "import": 1.5}


def wide_table(columns):
    header = "| Feature | " + " | ".join(f"P{i}" for i in range(columns)) + " |\n"
    row = " | ".join("✅" for _ in range(columns))
    return header + "|---" * (columns + 1) + "|\n" + f"| Sync | {row} |\n| Share | {row} |\n"


DOCUMENTS = {
    "200,000 [": "[" * 200_000 + "\n\n| Platform | A |\n|---|---|\n| X | ✅ |\n",
    "2,000 columns": wide_table(2_000),
    "1 MB of prose": ("A paragraph of *words* with a [link](https://example.org/).\n\n" * 17_000),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        setup_django(folder)
        from platforms.markdown_io import import_documents
        from platforms.models import ComparisonPage

        def run(body, **options):
            return import_documents([("bench.md", (FRONT + body).encode())], **options)

        run("| Platform | A |\n|---|---|\n| Warm | ✅ |\n")  # the first import loads modules
        missed = []
        for name, body in DOCUMENTS.items():
            times = {"preview": [], "import": []}
            for _ in range(args.rounds):
                ComparisonPage.objects.all().delete()
                for step, options in (("preview", {"dry_run": True}), ("import", {})):
                    started = time.perf_counter()
                    run(body, **options)
                    times[step].append(time.perf_counter() - started)
            medians = {step: statistics.median(t) for step, t in times.items()}
            size = len(body.encode()) / 1024
            line = ", ".join(f"{step} {seconds * 1000:.0f} ms" for step, seconds in medians.items())
            print(f"{name} ({size:,.0f} KB): {line}")
            missed += [f"{name}: {step}" for step, s in medians.items() if s > BUDGETS[step]]
        print("budgets missed: " + ", ".join(missed) if missed else "every budget met")
        sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
