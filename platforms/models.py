"""Platforms and comparison pages, whose tables have Capabilities (columns) and TableRows (a shared
Platform, as the table labels it); a Cell is the one claim of its row and capability."""

from datetime import timedelta

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sitecontent.markdown import RenderedOnSave, plain_text_of_html, plain_text_of_inline
from sitecontent.page_cache import retire_pages
from sitecontent.publishing import Publishable, PublishableQuerySet
from sitecontent.text_search import StoredVector, without_vector

from .text import page_key
from .validators import validate_one_line, validate_permalink, validate_source_url

STALE_AFTER_DAYS = 365


class Level(models.TextChoices):
    """A claim's support level, the one list of them, with its mark (as exported), a short label
    read out beside it (a level never depends on colour alone) and a CSS class."""

    FULL = "full", "Full support"
    PARTIAL = "partial", "Partial support"
    NONE = "none", "No support"
    UNKNOWN = "unknown", "Unknown"

    mark = property(
        lambda self: {"full": "✅", "partial": "🟡", "none": "❌", "unknown": "❔"}[self]
    )
    short_label = property(
        lambda self: {"full": "Yes", "partial": "Partly", "none": "No", "unknown": "Unknown"}[self]
    )
    css_class = property(lambda self: f"level-{self.value}")

    @staticmethod
    def rank(level):
        """Best first, for sorting claims: full, partial, none, unknown, then no level."""
        return list(Level).index(level) if level else len(Level)


def validate_legend(value):
    """A table's legend: [[symbol, level, meaning], …], each a line of text."""
    for entry in value if isinstance(value, list) else [None]:
        texts = entry if isinstance(entry, list) and len(entry) == 3 else [None]
        if not all(isinstance(t, str) and t.strip() and t == " ".join(t.split()) for t in texts):
            raise ValidationError("Write each mark as [symbol, level, meaning], each on one line.")
        if entry[1] not in Level.values:
            raise ValidationError(f"“{entry[1]}” is no level: one of {', '.join(Level.values)}.")


class PlatformQuerySet(models.QuerySet):
    def public(self):
        """Platforms with a row in a published page's table. The others (only in drafts or
        scheduled pages) exist for editors alone: no public list, page or feed names them."""
        rows = TableRow.objects.filter(table__page__in=ComparisonPage.objects.published())
        return self.filter(pk__in=rows.values("platform"))


class Platform(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="How the site names it.")
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Identifies the platform in imports and addresses; keep it stable.",
    )
    parent_company = models.CharField(
        max_length=100, blank=True, help_text="The company that owns it, e.g. Meta. Optional."
    )
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")

    history = HistoricalRecords()
    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PlatformAlias(models.Model):
    """Another name documents use for a platform ("X" and "Twitter (X)" for Twitter)."""

    platform = models.ForeignKey(
        Platform,
        on_delete=models.CASCADE,
        related_name="aliases",
        help_text="The platform this name stands for.",
    )
    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="Another name for the platform, as documents write it, e.g. “X (Twitter)”. "
        "Imports match rows and columns by name, slug or alias.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "platform aliases"

    def __str__(self):
        return self.name


class ComparisonPageQuerySet(PublishableQuerySet):
    def same_key_as(self, permalink):
        """Permalinks of these pages whose capabilities' addresses a page at `permalink` would
        share: they hold page_key(permalink), and /a/b/, /A-B/ and /a-b/ all give a-b."""
        key = page_key(permalink)
        return [each for each in self.values_list("permalink", flat=True) if page_key(each) == key]

    def with_tables(self):
        """Pages with every table's cells, in a fixed number of queries whatever their size."""
        return self.prefetch_related(Prefetch("tables", ComparisonTable.objects.with_cells()))


SHARED_ADDRESSES = "{} gives its capabilities the addresses this permalink would: choose another."


class ComparisonPage(RenderedOnSave, Publishable):
    title = models.CharField(max_length=200, help_text="Shown in the browser tab and in lists.")
    permalink = models.CharField(
        max_length=200,
        unique=True,
        validators=[validate_permalink],
        help_text="The page's address, starting and ending with “/”, e.g. /Partnerships/. "
        "Changing it breaks links people have saved.",
    )
    heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="The big heading on the page; the title if empty. *Inline* Markdown works.",
    )
    heading_html = models.CharField(max_length=2000, blank=True, editable=False)
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two sentences for search engines and link previews.",
    )
    intro = models.TextField(blank=True, help_text="Markdown shown above the first table.")
    intro_html = models.TextField(blank=True, editable=False)
    closing = models.TextField(blank=True, help_text="Markdown shown after the last table.")
    closing_html = models.TextField(blank=True, editable=False)
    order = models.PositiveIntegerField(default=0, help_text="Order in navigation; lower first.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComparisonPageQuerySet.as_manager()
    history = HistoricalRecords()
    inline_fields, markdown_fields = ["heading"], ["intro", "closing"]

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.permalink

    def clean(self):
        if taken := ComparisonPage.objects.exclude(pk=self.pk).same_key_as(self.permalink):
            raise ValidationError({"permalink": SHARED_ADDRESSES.format(taken[0])})

    @property
    def meta_description(self):
        return self.description or plain_text_of_html(self.intro_html)[:300]


class ComparisonTableQuerySet(models.QuerySet):
    def with_cells(self):
        """Tables with all that ComparisonTable.grid reads, in a fixed number of queries."""
        rows = Prefetch("rows", queryset=TableRow.objects.select_related("platform"))
        return self.prefetch_related("capabilities__cells__sources", rows)


class Orientation(models.TextChoices):  # as in the table's document, and on its page
    PLATFORMS_AS_ROWS = "rows", "Platforms as rows"
    PLATFORMS_AS_COLUMNS = "columns", "Platforms as columns"


class ComparisonTable(RenderedOnSave, models.Model):
    page = models.ForeignKey(
        ComparisonPage,
        on_delete=models.CASCADE,
        related_name="tables",
        help_text="The comparison page this table appears on.",
    )
    order = models.PositiveIntegerField(default=0, help_text="Position on the page; lower first.")
    section_heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional heading of the section this table opens, above its intro. "
        "*Inline* Markdown works here and in the other headings.",
    )
    section_heading_html = models.CharField(max_length=2000, blank=True, editable=False)
    intro = models.TextField(blank=True, help_text="Markdown shown before the table.")
    intro_html = models.TextField(blank=True, editable=False)
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The table's own heading; also read out as its caption. May be empty.",
    )
    title_html = models.CharField(max_length=2000, blank=True, editable=False)
    slug = models.SlugField(
        max_length=200, help_text="The table's anchor on the page (#slug); unique within the page."
    )
    platform_column = models.CharField(  # may be empty, as many documents' corner is
        max_length=100, default="Platform", blank=True, help_text="Header of the first column."
    )
    platform_column_html = models.CharField(max_length=1000, blank=True, editable=False)
    orientation = models.CharField(
        max_length=10,
        choices=Orientation,
        default=Orientation.PLATFORMS_AS_ROWS,
        help_text="Whether the document lists platforms down the side (rows) or across the top "
        "(columns). Kept on export.",
    )
    uses_levels = models.BooleanField(
        default=False,
        help_text="Tick when every cell states a support level (✅ 🟡 ❌ ❔) besides its note.",
    )
    legend = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_legend],
        help_text='The document\'s own marks, read out as each claim\'s level: [["🔶", "partial", '
        '"via a plugin"], …] (a claim whose note starts with the symbol, or whose level\'s mark '
        "it is). Read from the document's legend on import; kept on export.",
    )
    takeaways_heading = models.CharField(
        max_length=200, blank=True, help_text="Heading of the takeaways under the table."
    )
    takeaways_heading_html = models.CharField(max_length=2000, blank=True, editable=False)
    takeaways = models.TextField(blank=True, help_text="Markdown shown after the table.")
    takeaways_html = models.TextField(blank=True, editable=False)

    objects = ComparisonTableQuerySet.as_manager()
    history = HistoricalRecords()
    inline_fields = ["section_heading", "title", "platform_column", "takeaways_heading"]
    markdown_fields = ["intro", "takeaways"]

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["page", "slug"], name="unique_table_slug_per_page")
        ]

    def __str__(self):
        return f"{self.page.title} › {self.title}"

    def get_absolute_url(self):
        return f"{self.page.permalink}#{self.slug}"

    @property
    def name(self):
        """Plain-text name (lists, labels, attributes): title, else section heading, else page's."""
        return plain(self, "title") or plain(self, "section_heading") or self.page.title

    @cached_property
    def grid(self):
        """[(row, [cell for each capability])] in display order, from prefetched data."""
        capabilities = list(self.capabilities.all())
        cells = {(c.capability_id, c.row_id): c for cap in capabilities for c in cap.cells.all()}
        return [
            (row, [cells.get((cap.id, row.id)) for cap in capabilities]) for row in self.rows.all()
        ]


class Capability(RenderedOnSave, models.Model):
    table = models.ForeignKey(
        ComparisonTable,
        on_delete=models.CASCADE,
        related_name="capabilities",
        help_text="The table this column belongs to.",
    )
    name = models.CharField(
        max_length=200,
        validators=[validate_one_line],
        help_text="The column header. *Inline* Markdown and links work.",
    )
    name_html = models.CharField(max_length=2000, blank=True, editable=False)
    slug = models.SlugField(
        max_length=200, help_text="Identifies the column; unique within its table."
    )
    description = models.TextField(blank=True, help_text="Optional: what this column measures.")
    order = models.PositiveIntegerField(default=0, help_text="Column position; lower first.")

    history = HistoricalRecords()
    inline_fields = ["name"]

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "capabilities"
        constraints = [
            models.UniqueConstraint(fields=["table", "slug"], name="unique_capability_per_table")
        ]

    def __str__(self):
        return plain_text_of_inline(self.name) or self.name


class TableRow(RenderedOnSave, models.Model):
    table = models.ForeignKey(
        ComparisonTable,
        on_delete=models.CASCADE,
        related_name="rows",
        help_text="The table this row belongs to.",
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="table_rows",
        help_text="Which platform the row is about. A platform appears once per table.",
    )
    label = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_one_line],
        help_text="How this table names the platform, e.g. “WhatsApp (Meta)”. "
        "Empty shows the platform's name. *Inline* Markdown works.",
    )
    label_html = models.CharField(max_length=2000, blank=True, editable=False)
    order = models.PositiveIntegerField(default=0, help_text="Row position; lower first.")

    history = HistoricalRecords()
    inline_fields = ["label"]

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "row"
        constraints = [
            models.UniqueConstraint(fields=["table", "platform"], name="unique_platform_per_table")
        ]

    def __str__(self):
        return plain_text_of_html(self.label_html) if self.label else self.platform.name

    display_label = property(__str__)


class CellQuerySet(models.QuerySet):
    def claims(self):
        """Cells that say something (a level or a note), not empty ones ("no data")."""
        return self.exclude(level="", note="")

    def without_sources(self):
        return self.claims().filter(sources__isnull=True)

    def partial_without_note(self):
        """Partial support with a blank note (the database refuses an empty one, not spaces)."""
        return self.filter(level=Level.PARTIAL, note__regex=r"^\s*$")

    def stale(self):
        """Reviewed, but longer ago than STALE_AFTER_DAYS (never-reviewed cells are not stale)."""
        cutoff = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)
        return self.filter(last_reviewed__lt=cutoff)

    def never_reviewed(self):
        return self.claims().filter(last_reviewed__isnull=True)

    # Bulk changes for the admin's actions: one history record per changed cell, with the
    # reason, and the page cache retired (bulk writes send no save signal).
    @transaction.atomic
    def mark_reviewed(self, user, day):
        """The claims among these get `day` as their review date; returns those that changed."""
        cells = self._locked(self.claims().exclude(last_reviewed=day))
        return self._touched(cells, user, f"Bulk: marked reviewed {day}", last_reviewed=day)

    @transaction.atomic
    def add_source(self, user, url, title="", accessed=None):
        """The claims among these that do not cite `url` yet cite it last; returns them."""
        cells = self._locked(self.claims().exclude(sources__url=url))
        last = CellSource.objects.filter(cell__in=cells).values_list("cell").annotate(Max("order"))
        orders = dict(last)
        reason = f"Bulk: added the source {title or url}"[:100]
        # The cell's version first, then its source: as sources_of_version reads them.
        self._touched(cells, user, reason)
        fields = {"url": url, "title": title, "accessed": accessed}
        new = [CellSource(cell=c, order=orders.get(c.pk, -1) + 1, **fields) for c in cells]
        bulk_create_with_history(new, CellSource, default_user=user, default_change_reason=reason)
        return cells

    def _locked(self, cells):
        return list(Cell.objects.filter(pk__in=cells.values("pk")).select_for_update())

    def _touched(self, cells, user, reason, **changes):
        changes["updated_at"] = timezone.now()
        for cell in cells:
            for name, value in changes.items():
                setattr(cell, name, value)
        bulk_update_with_history(
            cells, Cell, list(changes), default_user=user, default_change_reason=reason
        )
        if cells:
            retire_pages()
        return cells


class Cell(RenderedOnSave, models.Model):
    NOTE_LIMIT = 2000  # characters, whichever way a note comes in (grid, admin, import)

    capability = models.ForeignKey(
        Capability,
        on_delete=models.CASCADE,
        related_name="cells",
        help_text="The column: what is being compared.",
    )
    row = models.ForeignKey(
        TableRow,
        on_delete=models.CASCADE,
        related_name="cells",
        help_text="The row: which platform the claim is about.",
    )
    level = models.CharField(
        max_length=10,
        choices=Level,
        blank=True,
        help_text="Support level, for tables that use levels. Empty: the cell states no level "
        "(only its note, or nothing at all: no data). Always empty in free-text tables.",
    )
    note = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(NOTE_LIMIT)],  # a TextField does not enforce max_length
        help_text="What the platform offers, in one line. **Bold** and [links](https://…) work. "
        "Required for partial support.",
    )
    note_html = models.TextField(blank=True, editable=False)
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When someone last checked this claim. After 12 months it is shown as "
        "possibly outdated.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The note's search vector, kept by PostgreSQL itself (SQLite searches an FTS5 table).
    search = models.GeneratedField(
        expression=StoredVector("note"), output_field=SearchVectorField(), db_persist=True
    )

    objects = without_vector(CellQuerySet)
    history = HistoricalRecords(excluded_fields=["search"])
    inline_fields = ["note"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["row", "capability"], name="one_cell_per_row_and_column"
            ),
            models.CheckConstraint(
                condition=Q(level__in=["", *Level.values]), name="cell_level_in_closed_list"
            ),
            models.CheckConstraint(
                condition=~Q(level=Level.PARTIAL) | ~Q(note=""), name="partial_level_needs_note"
            ),
        ]
        # The data's "as of" date is the newest cell's: found at the end of this index instead
        # of by reading every cell (3.6 -> 0.2 ms in PostgreSQL at the launch content x 10).
        indexes = [models.Index(fields=["updated_at"], name="cell_updated_at")]

    def __str__(self):
        return f"{self.capability} × {self.platform}"

    def get_absolute_url(self):
        return self.capability.table.get_absolute_url()

    platform = property(lambda self: self.row.platform)

    @property
    def place(self):
        """Where the claim sits, in words: "Capability × Platform, in Table on Page"."""
        table = self.capability.table
        return f"{self.capability} × {self.row.display_label}, in “{table.name}” on {table.page}"

    def replace_sources(self, sources):
        """Make the cell's sources exactly `sources` [(url, title, accessed)], changing only what
        differs (into the sources' history); returns [(action, source)] for reports."""
        current = list(self.sources.all())
        done = []
        for order, (url, title, accessed) in enumerate(sources):
            wanted = {"url": url, "title": title, "accessed": accessed, "order": order}
            source = current[order] if order < len(current) else CellSource(cell=self)
            if not source.pk or any(getattr(source, k) != v for k, v in wanted.items()):
                done.append(("updated" if source.pk else "created", source))
                for name, value in wanted.items():
                    setattr(source, name, value)
                source.save()
        for source in current[len(sources) :]:
            source.delete()
            done.append(("deleted", source))
        return done

    is_empty = property(lambda self: not self.level and not self.note)

    def clean(self):
        if not self.capability_id:
            return  # the form reports the missing column itself
        table = self.capability.table
        if not table.uses_levels and self.level:
            raise ValidationError({"level": "This table is free text: leave the level empty."})
        if self.level == Level.PARTIAL and not self.note.strip():
            raise ValidationError({"note": "Partial support needs a note saying what is there."})
        if self.row_id and self.row.table_id != table.id:
            raise ValidationError({"row": "The row and the column belong to different tables."})


def sources_of_version(record):
    """[(url, title, accessed)] of a cell while the historical `record` was its version: up to
    its next version (or now), as sources are saved after their cell."""
    later = record.next_record
    moment = later.history_date - timedelta(microseconds=1) if later else timezone.now()
    sources = CellSource.history.as_of(moment).filter(cell_id=record.id)
    return [(s.url, s.title, s.accessed) for s in sorted(sources, key=lambda s: (s.order, s.id))]


class CellSource(models.Model):
    cell = models.ForeignKey(
        Cell, on_delete=models.CASCADE, related_name="sources", help_text="The claim it backs."
    )
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[validate_source_url],
        help_text="Where the claim can be checked.",
    )
    title = models.CharField(max_length=300, blank=True, help_text="The source's title.")
    accessed = models.DateField(null=True, blank=True, help_text="When the source was read.")
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.title or self.url


def cell_anchor(table_slug, platform_slug, capability_slug):
    """The id of a cell's <td> on its page, shared by search, reports and the change log."""
    return f"cell-{table_slug}-{platform_slug}-{capability_slug}"


class ReportStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ClaimReport(models.Model):
    """An anonymous visitor's "this claim is outdated or wrong", for editors; shown only escaped."""

    MESSAGE_MAX = 2000

    cell = models.ForeignKey(
        Cell,
        on_delete=models.CASCADE,
        related_name="reports",
        help_text="The claim the visitor says is outdated or wrong.",
    )
    status = models.CharField(
        max_length=10,
        choices=ReportStatus,
        default=ReportStatus.NEW,
        help_text="New until an editor accepts it (and fixes the claim) or rejects it.",
    )
    message = models.TextField(
        max_length=MESSAGE_MAX, help_text="What the visitor says is wrong, as they wrote it."
    )
    source_url = models.URLField(
        "source URL", max_length=500, blank=True, help_text="Where the visitor says to check."
    )
    email = models.EmailField(
        blank=True, help_text="Only for replying to the visitor; never shown on the site."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A keyed digest of the sender's address, for the hourly limit (reports.sender_of).
    sender = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    editor_note = models.TextField(
        blank=True, help_text="For editors only: what was done about the report."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Report on {self.cell} ({self.get_status_display()})"


def cell_url(cell):
    """The address of a cell on its page (select_related row__platform, capability__table__page)."""
    table = cell.capability.table
    anchor = cell_anchor(table.slug, cell.row.platform.slug, cell.capability.slug)
    return f"{table.page.permalink}#{anchor}"


def plain(obj, field):
    """A name or title (inline Markdown) as plain text: its *_html stripped, or the field."""
    html = getattr(obj, f"{field}_html", "")
    return plain_text_of_html(html) if html else getattr(obj, field)
