"""Database → documents: the exact inverse of the import. Each table's section starts with a
note, `<!-- table {…} -->` (no renderer shows it), saying what the Markdown cannot: slugs, column
descriptions, orientation, levels, each row's platform, which headings exist. The closing text
follows `<!-- closing -->`. The register is YAML."""

import json
import re
from itertools import count

import yaml
from django.utils.text import slugify

from sitecontent.models import Article

from ..models import ComparisonPage, Platform
from .tables import Marks, export_cell


def front_matter(item, fields, keep=()):
    """`---` YAML front matter: fields (empty ones left out but those in keep), then publication."""
    fields = {k: v for k, v in fields.items() if k in keep or v not in (None, "")}
    fields |= {"published": item.status == "published", "publish_date": item.publish_at.isoformat()}
    return f"---\n{yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)}---"


def export_page(page):
    fields = {"title": page.title, "permalink": page.permalink, "order": page.order}
    # An empty description stays empty (the import would summarize).
    front = front_matter(page, fields | {"description": page.description}, keep={"description"})
    parts = [front, page.heading and f"# {page.heading}", page.intro]
    # Sources' footnotes are numbered across the page (footnote labels are per document),
    # skipping the labels its texts and notes use already.
    texts = [page.intro, page.closing]
    for table in page.tables.all():
        texts += [table.intro, table.takeaways]
        texts += [cell.note for cap in table.capabilities.all() for cell in cap.cells.all()]
    used = set(re.findall(r"\[\^([^\]\s]+)\]", "\n".join(texts)))
    footnote_numbers = (number for number in count(1) if str(number) not in used)
    for table in page.tables.all():
        parts.extend(export_table(table, footnote_numbers))
    if page.closing:
        parts.extend(["<!-- closing -->", page.closing])
    return "\n\n".join(filter(None, parts)) + "\n"


def export_table(table, footnote_numbers):
    capabilities, grid = list(table.capabilities.all()), table.grid
    note = {
        "slug": table.slug, "order": table.order,
        "orientation": table.orientation, "levels": table.uses_levels,
        "title": bool(table.title), "section_heading": bool(table.section_heading),
        "takeaways_heading": bool(table.takeaways_heading),
        "columns": [[c.name, c.slug, c.description, c.order] for c in capabilities],
        "rows": [[row.label or row.platform.name, row.platform.slug, not row.label, row.order]
                 for row, _cells in grid],
    } | ({"legend": table.legend} if table.legend else {})  # fmt: skip
    note = json.dumps(note, ensure_ascii=False, separators=(", ", ": "))
    # The table as platforms as rows (labels and headers with their pipes escaped).
    header = [table.platform_column, *(capability.name for capability in capabilities)]
    rows = [[name.replace("|", "\\|") for name in header]]
    marks, footnotes = Marks(stored=table.legend), []
    for row, cells in grid:
        rows.append([(row.label or row.platform.name).replace("|", "\\|")])
        for cell in cells:
            text = export_cell(cell, table.uses_levels, marks) if cell is not None else ""
            if cell is not None and (facts := cell_facts(cell)):
                number = next(footnote_numbers)
                footnotes.append(f"[^{number}]: {facts}")
                text += f" [^{number}]"
            rows[-1].append(text.strip())
    if table.orientation == "columns":
        rows = list(zip(*rows, strict=True))
    rows.insert(1, ["---"] * len(rows[0]))
    return [
        f"<!-- table {note.replace('--', '-\\u002d')} -->",  # no "--" inside a comment
        table.section_heading and f"## {table.section_heading}",
        table.intro,
        table.title and f"### {table.title}",
        "\n".join("| " + " | ".join(row) + " |" for row in rows),
        "\n".join(footnotes),
        table.takeaways_heading and f"### {table.takeaways_heading}",
        table.takeaways,
    ]


def cell_facts(cell):
    facts = [f"reviewed {cell.last_reviewed.isoformat()}"] if cell.last_reviewed else []
    for source in cell.sources.all():
        title = re.sub(r"([\\\[\]])", r"\\\1", source.title)
        accessed = f" (accessed {source.accessed.isoformat()})" if source.accessed else ""
        facts.append(f"[{title}](<{source.url}>){accessed}")
    return "; ".join(facts)


def export_article(article):
    fields = {
        "title": article.title,
        "slug": article.slug,
        "subtitle": article.subtitle,
        "description": article.description,
        "author": article.author,
        "read_time": f"{article.reading_time} mins" if article.reading_time else None,
        "created_date": article.created_date.isoformat() if article.created_date else None,
        "heroImage": article.hero_image_src,
        "heroImageAlt": article.hero_image_alt,
        "cta": article.call_to_action,
    }
    return "\n\n".join(filter(None, [front_matter(article, fields), article.body.strip()])) + "\n"


def export_documents():
    """[(relative path, text)] of the register, every page and every article."""
    register = [
        {"name": p.name, "slug": p.slug, "parent_company": p.parent_company, "order": p.order,
         "aliases": [alias.name for alias in p.aliases.all()]}
        for p in Platform.objects.prefetch_related("aliases").order_by("order", "slug")
    ]  # fmt: skip
    register = yaml.safe_dump(register, allow_unicode=True, sort_keys=False, width=1000)
    documents = [("platforms.yaml", register)]
    for page in ComparisonPage.objects.with_tables():
        name = slugify(page.permalink.strip("/")) or "page"
        documents.append((f"page-{name}.md", export_page(page)))
    documents += [(f"article-{a.slug}.md", export_article(a)) for a in Article.objects.all()]
    return documents
