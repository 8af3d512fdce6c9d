"""The launch content: Markdown documents that `import_markdown` reads when given no path."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent
