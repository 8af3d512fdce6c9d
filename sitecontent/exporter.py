"""Pages and articles back to Jekyll-style Markdown that import_markdown reads again.

Headings are written at fixed levels — the page heading as #, a section as ##, a table's title
and its takeaways as ### — so that the importer can tell a section from takeaways.
"""

import re

import yaml
from django.utils.text import slugify

from platforms.models import ComparisonPage, Level

from .models import Article
from .publishing import Status


def front_matter(fields):
    fields = {key: value for key, value in fields.items() if value is not None and value != ""}
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n"


def publication(item):
    return {
        "published": item.status == Status.PUBLISHED,
        "publish_date": item.publish_at.isoformat(),
    }


def table_cell(text):
    return text.replace("|", "\\|").replace("\n", " ").strip()


def export_page(page):
    parts = [
        front_matter(
            {
                "title": page.title,
                "permalink": page.permalink,
                "order": page.order,
                "description": page.description,
                **publication(page),
            }
        )
    ]
    if page.heading:
        parts.append(f"# {page.heading}")
    if page.intro:
        parts.append(page.intro)
    footnote_count = [0]  # numbered across the page: footnote ids are per document
    for table in page.tables.all():
        parts.extend(export_table(table, footnote_count))
    if page.closing:
        parts.extend(["---", page.closing])  # the rule tells the importer where closing starts
    return "\n\n".join(parts).replace("---\n\n", "---\n", 1) + "\n"


def export_table(table, footnote_count):
    parts = []
    if table.section_heading:
        parts.append(f"## **{table.section_heading}**")
    if table.intro:
        parts.append(table.intro)
    parts.append(f"### **{table.title}**")
    capabilities = [capability.name for capability in table.capabilities.all()]
    lines = [
        "| "
        + " | ".join(f"**{table_cell(c)}**" for c in [table.platform_column, *capabilities])
        + " |",
        "|" + "---|" * (len(capabilities) + 1),
    ]
    footnotes = []
    for row, cells in table.grid:
        texts = []
        for cell in cells:
            text = ""
            if cell is None and table.uses_levels:
                text = Level.UNKNOWN.mark  # a levelled cell always states a level
            if cell is not None:
                mark = Level(cell.level).mark if cell.level else ""
                text = " ".join(filter(None, [mark, table_cell(cell.note)]))
                if facts := cell_facts(cell):
                    footnote_count[0] += 1
                    footnotes.append(f"[^{footnote_count[0]}]: {facts}")
                    text += f" [^{footnote_count[0]}]"
            texts.append(text)
        lines.append(f"| **{table_cell(row.display_label)}** | " + " | ".join(texts) + " |")
    parts.append("\n".join(lines))
    if footnotes:
        parts.append("\n".join(footnotes))
    if table.takeaways_heading:
        parts.append(f"### **{table.takeaways_heading}**")
    if table.takeaways:
        parts.append(table.takeaways)
    return parts


def cell_facts(cell):
    facts = [f"reviewed {cell.last_reviewed.isoformat()}"] if cell.last_reviewed else []
    for source in cell.sources.all():
        title = re.sub(r"([\\\[\]])", r"\\\1", source.title)
        fact = f"[{title}](<{source.url}>)"
        if source.accessed:
            fact += f" (accessed {source.accessed.isoformat()})"
        facts.append(fact)
    return "; ".join(facts)


def export_article(article):
    fields = {
        "title": article.title,
        "slug": article.slug,
        "subtitle": article.subtitle,
        "description": article.description,
        "author": article.author,
        "read_time": f"{article.reading_time} mins" if article.reading_time else None,
        **publication(article),
        "created_date": article.created_date.isoformat() if article.created_date else None,
        "heroImage": article.hero_image_src,
        "heroImageAlt": article.hero_image_alt,
        "cta": article.call_to_action,
    }
    return front_matter(fields) + "\n" + article.body.strip() + "\n"


def export_all(directory):
    """Write every page and article into directory; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for page in ComparisonPage.objects.with_tables():
        path = directory / f"page-{slugify(page.permalink.strip('/')) or 'page'}.md"
        path.write_text(export_page(page), encoding="utf-8")
        written.append(path)
    for article in Article.objects.all():
        path = directory / f"article-{article.slug}.md"
        path.write_text(export_article(article), encoding="utf-8")
        written.append(path)
    return written
