"""The grid editor: a whole comparison table on one form, plain POST (no JavaScript needed). Each
cell and row and column header is a small form; if any is wrong, nothing is saved, else each is
saved under admin_locking.decide against the fingerprints the page was loaded with (signed)."""

import hashlib
import json
import re
from collections import defaultdict
from contextlib import suppress
from urllib.parse import quote

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from sitecontent import admin_locking as locking

from .models import Capability, Cell, CellSource, ComparisonTable, Level, Platform, TableRow
from .validators import validate_one_line

VERSION_SALT = "grid-loaded-version"
FLAGS_TEMPLATE = "admin/platforms/comparisontable/grid_cell_flags.html"
# A page holds this many cells at most (whole rows): without JavaScript the whole page is posted,
# one field a cell, and Django refuses a post of over DATA_UPLOAD_MAX_NUMBER_FIELDS (10,000).
CELLS_PER_PAGE = 2000
# A level's option is written as its short label, which is also its value (no value attribute):
# 58 bytes less a cell, a fifth of a 40 × 40 grid's HTML. The stored values are accepted too.
LEVEL_OF = {"": "", **{level.short_label: level.value for level in Level}}
LEVEL_OF |= {value: value for value in Level.values}
# The level menu's options with each value selected, written once rather than per cell.
LEVEL_OPTIONS = {
    selected: '<option value="">—'
    + "".join(f"<option{' selected' * (level == selected)}>{level.short_label}" for level in Level)
    for selected in ["", *Level.values]
}
CELL_FIELDS = ("level", "note", "last_reviewed")  # a cell's own values, besides its sources


def source_line(source):
    accessed = source.accessed.isoformat() if source.accessed else ""
    line = " | ".join([source.url, source.title, accessed])
    # A title holding "|" keeps the date's place, even empty, to be read back whole.
    return line if accessed or "|" in source.title else line.rstrip(" |")


def parse_sources(text):
    """[(url, title, accessed)] from lines "URL | title | date", each held to CellSource's own
    rules (as in the admin and the importer); errors name their line."""
    sources, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        url, _, rest = line.partition("|")
        # The last part is the date when it looks like one: a title may hold "|" ("Privacy
        # Policy | Meta"), a URL may not (validate_source_url).
        title, bar, accessed = rest.rpartition("|")
        if not bar or not re.fullmatch(r"[\d\s./-]*", accessed):
            title, accessed = rest, ""
        source = CellSource(url=url.strip(), title=title.strip(), accessed=accessed.strip() or None)
        try:
            source.full_clean(exclude=["cell"], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                field = CellSource._meta.get_field(name).verbose_name
                errors += [f"Source line {number}, {field}: {message}" for message in messages]
        sources.append((source.url, source.title, source.accessed))
    if errors:
        raise ValidationError(errors)
    return sources


def normalized(value):
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


def posted_values(data, prefix, names):
    """{name: its value as text} of the fields of the unit `prefix` that `data` holds."""
    keys = {name: f"{prefix}-{name}" for name in names}
    posted = {name: normalized(data[key]) for name, key in keys.items() if key in (data or {})}
    if "level" in posted:
        posted["level"] = LEVEL_OF.get(posted["level"], posted["level"])
    return posted


def fingerprint(values):
    """A short stable digest of a unit's values (a dict), to tell whether it changed."""
    texts = {name: normalized(value) for name, value in values.items()}
    return hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:16]


# A cell's <td>, from its form or (untouched) its values, by hand: a template include or widget per
# cell costs seconds (tests/bench/grid_bench.py, 40 × 40: GET 2,656 → 140 ms, saving 10 cells 2,625
# → 86 ms, 2026-12-07). It shows its level (no levels: its note); note, sources and review date only
# when opened (`form.opened`, or fetched by the script): all in every cell made 1.3 MB at 40 × 40.
def cell_html(form, uses_levels, history_url):
    cell, p = form.cell, form.prefix
    shown = {name: "" if value is None else escape(value) for name, value in form.values.items()}
    names = f"r{cell.row_id} c{cell.capability_id}"  # its controls' labels: header ids (grid.html)
    note = (
        f'<textarea name="{p}-note" aria-labelledby="gn {names}" maxlength="{Cell.NOTE_LIMIT}"'
        f"{'' if uses_levels else ' rows=1'}>\n{shown['note']}</textarea>"
    )
    control, main = note, "note"
    if uses_levels:
        main, options = "level", LEVEL_OPTIONS.get(shown["level"], LEVEL_OPTIONS[""])
        control = f'<select name="{p}-level" aria-labelledby="gl {names}">{options}</select>'
    details_posted = set(form.fields) & {"note", "last_reviewed", "sources"} - {main}
    attrs = " data-posted" if form.is_bound else ""
    flagged = form.errors or form.conflict
    if not (flagged or form.opened or details_posted):
        return f"<td{attrs}>{control}</td>"
    flags = facts = history = preview = ""
    if flagged:
        classes = ["has-errors"] * bool(form.errors) + ["has-conflict"] * bool(form.conflict)
        attrs += f' class="{" ".join(classes)}"'
        flags = render_to_string(FLAGS_TEMPLATE, {"form": form})
    if cell.pk:
        reviewed = f", {cell.last_reviewed.isoformat()}" if cell.last_reviewed else ""
        facts = f' <span class="cell-facts">({len(shown["sources"].splitlines())}{reviewed})</span>'
        history = f'<a class="cell-history" href="{history_url.format(cell.pk)}">History</a>'
    # The saved note's HTML (links, bold…) beside it, never beside an edit it may not match.
    if cell.note_html not in ("", escape(cell.note)) and not (form.is_bound or form.conflict):
        preview = f'<div class="note-preview">{cell.note_html}</div>'
    opened = " open" if flagged or form.opened else ""
    summary = "Note, sources and review" if uses_levels else "Sources and review"
    return (
        f'<td id="{p}"{attrs}>{flags}{control}<details class="cell-more"{opened}>'
        f"<summary>{summary}{facts}</summary>{note if uses_levels else ''}{preview}"
        f'<label>Reviewed <input type="date" name="{p}-last_reviewed" '
        f'value="{shown["last_reviewed"]}"></label><label>Sources <textarea name="{p}-sources">'
        f"\n{shown['sources']}</textarea></label>{history}</details></td>"
    )


class UntouchedCell:
    """A cell the request did not post, or posted as it is now (or a page's first load): no
    form, only its values; binding a form per cell is what made a 40 × 40 grid slow."""

    is_bound, errors, conflict, cleaned_data, fields = False, {}, None, {}, {}
    parsed_sources = None  # its sources stay as they are

    def __init__(self, prefix, cell, values, opened=False):
        self.prefix, self.cell, self.values, self.opened = prefix, cell, values, opened


class ResolvableForm(forms.Form):
    """A cell or header form, re-offered after its save was refused (`conflict`: {"mine": my
    values, "theirs": their values, "obj": their object}), holding my values, with the choice
    keep mine, take theirs, or merge: a box pre-filled with both versions of `merges`."""

    units = ()  # the values a version covers
    merges = ""  # the field a merge replaces
    merge_widget = forms.Textarea
    merge_max_length = 4000
    merge_joiner = "\n\n"  # between my version and theirs in the merge box
    merge_text = staticmethod(normalized)  # the merge box's text, as its field takes it

    def __init__(self, *args, obj, conflict=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj, self.conflict = obj, conflict
        if conflict:
            versions = dict.fromkeys(conflict[side][self.merges] for side in ("mine", "theirs"))
            both = self.merge_joiner.join(v for v in versions if v)
            self.initial = {**conflict["mine"], "resolve": locking.KEEP_MINE, "merged": both}
            self.fields["resolve"] = forms.ChoiceField(
                required=False, choices=locking.RESOLVE_CHOICES, widget=forms.RadioSelect
            )
            self.fields["merged"] = forms.CharField(  # labelled "Merged note" (grid_conflict.html)
                required=False, max_length=self.merge_max_length, widget=self.merge_widget
            )

    def clean(self):
        data = super().clean()
        if data.get("resolve") == locking.MERGE:
            merged = self.merge_text(data.get("merged", ""))
            try:  # held to the field's own rules (required, length), as if written there
                data[self.merges] = self.fields[self.merges].clean(merged)
            except ValidationError as error:
                self.add_error("merged", error)
        return data

    def submitted(self):  # the values posted
        return {key: self.cleaned_data[key] for key in self.units if key in self.cleaned_data}


class CellForm(ResolvableForm):
    """A cell's form, of the fields its page shows (a closed cell: its level, or its note)."""

    kind = "cell"
    units = (*CELL_FIELDS, "sources")
    merges = "note"
    opened = False

    # No widgets: cell_html writes the inputs by hand.
    level = forms.TypedChoiceField(
        required=False, choices=[(key, key) for key in LEVEL_OF], coerce=LEVEL_OF.get
    )
    note = forms.CharField(required=False)  # its limit is the model's, checked in clean()
    last_reviewed = forms.DateField(required=False)
    sources = forms.CharField(required=False)
    parsed_sources = None  # not posted: they stay as they are

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell = self.obj
        for name in self.units if self.is_bound else ():
            if self.add_prefix(name) not in self.data:
                del self.fields[name]  # not on the page: it stays as it is

    @property
    def values(self):  # as posted, else as loaded (or mine, after a conflict)
        values = {name: self.initial.get(name) for name in self.units}
        return values | posted_values(self.data, self.prefix, self.units)

    @staticmethod
    def values_of(cell, sources=None):
        if sources is None:  # not read already, as the grid reads them all
            sources = cell.sources.all() if cell.pk else []
        values = {name: getattr(cell, name) for name in CELL_FIELDS}
        return {**values, "sources": "\n".join(map(source_line, sources))}

    @property
    def place(self):
        return f"{self.cell.row.display_label}, {self.cell.capability.name}"

    def clean_note(self):
        return normalized(self.cleaned_data["note"])

    def clean_sources(self):
        text = normalized(self.cleaned_data["sources"])
        self.parsed_sources = parse_sources(text)
        return text

    def clean(self):
        data = super().clean()
        for name in CELL_FIELDS:
            setattr(self.cell, name, data.get(name, getattr(self.cell, name)))
        try:
            # The cell's place is the grid's own, and Cell.clean() states the same rules as
            # the check constraints: no query per cell to check them.
            self.cell.full_clean(exclude=["capability", "row"], validate_constraints=False)
        except ValidationError as error:
            self.add_error(None, error.messages)
        return data


def name_field(model, name, **kwargs):
    """The form field of a row's label or a column's name: the model's own, on one line."""
    return model._meta.get_field(name).formfield(validators=[validate_one_line], **kwargs)


class HeaderForm(ResolvableForm):
    """A row or column header: its name, position, and bulk actions on its cells."""

    units = ("name", "order")
    merges = "name"
    # Two lines, so that both names show whole in a narrow header; joined again on save.
    merge_widget = forms.Textarea(attrs={"rows": 2})
    merge_max_length = 400  # room for both; the name itself stays within 200
    merge_joiner = " / "
    merge_text = staticmethod(lambda text: " ".join(text.split()))

    order = forms.IntegerField(min_value=0, max_value=9999)
    reviewed_today = forms.BooleanField(required=False)
    delete = forms.BooleanField(required=False)

    def __init__(self, *args, obj, **kwargs):
        self.kind = "row" if isinstance(obj, TableRow) else "column"
        self.name_field = "label" if self.kind == "row" else "name"
        super().__init__(*args, obj=obj, **kwargs)
        label = "Label" if self.kind == "row" else "Column name"  # grid_header.html writes it
        self.fields["name"] = name_field(type(obj), self.name_field, label=label)

    @staticmethod
    def values_of(obj):
        return {"name": obj.label if isinstance(obj, TableRow) else obj.name, "order": obj.order}

    @property
    def place(self):
        return f"{self.kind} {self.obj}"


class AddRowForm(forms.Form):
    prefix = "add-row"
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.none(), required=False, label="Add a platform row"
    )
    label = name_field(
        TableRow, "label", help_text="Optional: how this table names it, e.g. “WhatsApp (Meta)”."
    )

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.exclude(table_rows__table=table)


class AddColumnForm(forms.Form):
    prefix = "add-column"
    name = name_field(
        Capability, "name", required=False, label="Add a capability column", help_text=""
    )

    def __init__(self, *args, table, **kwargs):
        self.table = table
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name and not slugify(name):
            raise ValidationError("Use at least one letter or digit in the column name.")
        if name and self.table.capabilities.filter(slug=slugify(name)).exists():
            raise ValidationError("This table already has a column with that name.")
        return name


def column_cells(table, **filters):
    """{"col-<id>-cells": how many cells the column has and its latest change} over all rows:
    what a paged grid was loaded with, of the cells it does not show."""
    found = Cell.objects.filter(capability__table=table, **filters).values_list("capability")
    return {
        f"col-{column}-cells": {"cells": count, "latest": latest}
        for column, count, latest in found.annotate(Count("id"), Max("updated_at"))
    }


class GridEditor:
    """The forms of one page of a table's grid (whole rows, CELLS_PER_PAGE cells at most; rows
    and cells prefetched), validated together and saved in one transaction. A page posts only
    the units it changed (without JavaScript: all it shows, one field a closed cell); rows and
    columns added after it was loaded are left as they are (`unseen`). `conflicts` ({prefix: a
    conflict}) re-offers the units refused; the cells of the row `opened` show all their fields."""

    def __init__(self, table, data=None, conflicts=None, page=None, opened=None):
        self.table, self.data, self.conflicts_shown = table, data, conflicts or {}
        self.base, self.version_error = {}, None
        if data is not None:
            try:
                self.base = signing.loads(data.get("version", ""), salt=VERSION_SALT)
            except signing.BadSignature:
                self.version_error = "This page's version mark is missing or damaged: reload it."
        self.loaded = {}  # {prefix: the values the page shows}, fingerprinted when signed
        # A cell's history page, back to the grid from there ("{}": the cell's id).
        back = quote(reverse("admin:platforms_comparisontable_grid", args=[table.pk]))
        self.history_url = reverse("admin:platforms_cell_changelist") + "{}/history/?next=" + back
        capabilities = table.capabilities.all()
        rows = list(table.rows.all())
        size = max(1, CELLS_PER_PAGE // max(1, len(capabilities)))
        self.page = Paginator(rows, size).get_page(page)  # a page out of range: the nearest
        # The page's rows, and those it was loaded with (a save covers them wherever they are).
        on_page = {row.id for row in self.page}
        rows = [row for row in rows if row.id in on_page or f"row-{row.id}" in self.base]
        # Their cells, then the cells' sources, in one query each (prefetched per cell, sources
        # cost more: grid_bench); reading the whole table's cells took 0.7 s at 200 × 50.
        found = Cell.objects.filter(row__in=rows, capability__table=table)
        found = {(cell.capability_id, cell.row_id): cell for cell in found}
        sources = defaultdict(list)
        for source in CellSource.objects.filter(cell__in=found.values()):
            sources[source.cell_id].append(source)
        self.column_headers = [self._form(HeaderForm, f"col-{cap.id}", cap) for cap in capabilities]
        self.rows = []  # [(its header, its cells)]
        for row in rows:
            cells = []
            for capability in capabilities:
                cell = found.get((capability.id, row.id)) or Cell()
                cell.capability, cell.row = capability, row  # read already: no query per cell
                values = CellForm.values_of(cell, sources[cell.pk])
                prefix = f"cell-{capability.id}-{row.id}"
                cells.append(self._form(CellForm, prefix, cell, values, row.id == opened))
            self.rows.append((self._form(HeaderForm, f"row-{row.id}", row), cells))
        if self.page.has_other_pages():  # a column is deleted only as it was loaded, on every page
            self.loaded |= column_cells(table)
        self.shown_rows = [header.obj for header, _cells in self.rows]
        self.headers = [header for header, _cells in self.rows] + self.column_headers
        self.cells = [form for _header, cells in self.rows for form in cells]
        # In the page's order, for the list of problems and conflicts atop it.
        self.units = [*self.column_headers, *(u for h, cells in self.rows for u in (h, *cells))]
        self.add_forms = [AddRowForm(data, table=table), AddColumnForm(data, table=table)]
        self.forms = [*self.units, *self.add_forms]
        self.unseen = [
            h.obj for h in self.headers if data is not None and h.prefix not in self.base
        ]
        self.conflicts, self.lost = [], []

    def _form(self, form_class, prefix, obj, values=None, opened=False):
        """A unit's form, bound only if posted (not if added since the page loaded) and, for a cell,
        changed (locking.decide's first rule): a page posted without JavaScript binds only those."""
        values = self.loaded[prefix] = values or form_class.values_of(obj)
        posted = posted_values(self.data, prefix, form_class.units)
        conflict = self.conflicts_shown.get(prefix)
        if conflict is None and f"{prefix}-resolve" in (self.data or {}):
            # A choice posted back (refused: an empty merge, an error elsewhere): offered again,
            # the stored values as theirs, any error beside the merge box.
            conflict = {"mine": values, "theirs": values, "obj": obj}
        unchanged = all(text == normalized(values[name]) for name, text in posted.items())
        if form_class is CellForm and unchanged and not conflict:
            return UntouchedCell(prefix, obj, values, opened)
        data = self.data if posted else None
        form = form_class(data, prefix=prefix, obj=obj, initial=values, conflict=conflict)
        form.opened = opened
        return form

    @property
    def version(self):
        """What this page shows, signed; after a validation error, what it was loaded with."""
        if self.data and self.data.get("version"):
            return self.data["version"]
        return locking.sign({p: fingerprint(v) for p, v in self.loaded.items()}, VERSION_SALT)

    def rendered_rows(self):  # [(its header form, its cells' HTML)]
        for header, cells in self.rows:
            html = "".join(cell_html(f, self.table.uses_levels, self.history_url) for f in cells)
            yield header, mark_safe(html)

    def opened_cell(self, prefix):
        """The <td> of the cell `prefix` with all its fields, shown on demand by the script."""
        cell = next((form for form in self.cells if form.prefix == prefix), None)
        if cell is None:
            raise Http404("No such cell on this page.")
        cell.opened = True
        return cell_html(cell, self.table.uses_levels, self.history_url)

    @property
    def flagged(self):
        return [unit for unit in self.units if unit.errors or unit.conflict]

    def is_valid(self):
        return all([f.is_valid() for f in self.forms if f.is_bound]) and not self.version_error

    @property
    def error_count(self):
        return sum(1 for form in self.forms if form.errors) + bool(self.version_error)

    def ticked(self, box):
        return [h for h in self.headers if h.is_bound and h.cleaned_data.get(box)]

    @property
    def deletions(self):
        return self.ticked("delete")

    @transaction.atomic
    def save(self, user=None):
        """Writes what this editor changed and returns how many cells changed; refused changes
        are then in self.conflicts, edits to rows and columns deleted meanwhile in self.lost."""
        # One save of a table at a time: a second save waits here, then reads the cells the
        # first one created, so two saves of one empty cell give a winner and a conflict.
        locking.locked(ComparisonTable.objects).filter(pk=self.table.pk).first()
        # The cells this save may write (in the rows posted and the rows and columns ticked)
        # as the database holds them now, locked until the save ends.
        reviewing = self.ticked("reviewed_today")
        marked = reviewing + self.deletions
        rows = {form.cell.row_id for form in self.cells if form.is_bound}
        rows |= {header.obj.id for header in marked if header.kind == "row"}
        columns = {header.obj.id for header in marked if header.kind == "column"}
        cells = Cell.objects.filter(capability__table=self.table).prefetch_related("sources")
        cells = cells.filter(Q(row__in=rows) | Q(capability__in=columns)).select_for_update()
        current = {(cell.capability_id, cell.row_id): cell for cell in cells}
        reviewed = {(h.kind, h.obj.id) for h in reviewing}
        deletions = [header for header in self.deletions if self._may_delete(header, current)]
        deleted = {(h.kind, h.obj.id) for h in deletions}
        today = timezone.localdate()
        for header in self.headers:
            self._save_header(header)
        changed = 0
        for form in self.cells:
            key = (form.cell.capability_id, form.cell.row_id)
            places = {("column", key[0]), ("row", key[1])}
            ticked = places & reviewed and not form.cell.is_empty
            if places & deleted or not (form.is_bound or ticked):
                continue
            values = form.submitted() if form.is_bound else dict(form.values)
            if ticked:
                values["last_reviewed"] = today
            changed += self._save_cell(form, values, current.get(key))
        # A column ticked on a page of rows: its cells on the other pages too, as the cell
        # list's bulk action marks them (this page never showed them: nothing to compare).
        columns = [h.obj for h in reviewing if h.kind == "column"]
        others = Cell.objects.filter(capability__in=columns).exclude(row__in=self.shown_rows)
        changed += len(others.mark_reviewed(user, today))
        for header in deletions:
            header.obj.delete()
        self.lost = self._lost()
        add_row, add_column = (form.cleaned_data for form in self.add_forms)
        if add_column.get("name"):
            self._add(Capability, name=add_column["name"], slug=slugify(add_column["name"]))
        if add_row.get("platform"):
            self._add(TableRow, platform=add_row["platform"], label=add_row["label"])
        return changed

    def _decide(self, form, mine, now, obj):
        """True when my values are to be saved over the stored ones; records a conflict."""
        base = self.base.get(form.prefix, locking.UNKNOWN)
        resolution = form.cleaned_data.get("resolve")
        outcome = locking.decide(base, fingerprint(mine), fingerprint(now), resolution)
        if outcome == locking.CONFLICT:
            self.conflicts.append({"prefix": form.prefix, "mine": mine, "theirs": now, "obj": obj})
        return outcome == locking.SAVE_MINE

    def _save_cell(self, form, values, current):
        theirs = current or Cell()  # a cell someone else emptied shows as an empty one
        now = CellForm.values_of(theirs)
        values = {**now, **values}  # what the page did not post stays as it is
        if not self._decide(form, values, now, theirs):  # an empty cell stays absent: as wanted
            return False
        cell = current or form.cell
        for name in CELL_FIELDS:
            setattr(cell, name, values[name])
        cell.save()  # before its sources: reverting a version restores the sources it had
        if form.parsed_sources is not None:
            cell.replace_sources(form.parsed_sources)
        return True

    def _save_header(self, header):
        if not header.is_bound or header.cleaned_data.get("delete"):
            return
        mine, now = header.submitted(), header.values_of(header.obj)
        if fingerprint(mine) in {self.base.get(header.prefix), fingerprint(now)}:
            return  # untouched here (so theirs stays), or already as wanted
        header.obj.refresh_from_db(from_queryset=locking.locked(type(header.obj).objects))
        if self._decide(header, mine, header.values_of(header.obj), header.obj):
            setattr(header.obj, header.name_field, mine["name"])
            header.obj.order = mine["order"]
            header.obj.save()

    def _may_delete(self, header, current):
        """A row or column is deleted only as it was loaded, header and cells: deleting what
        someone changed meanwhile is a conflict, shown with their version."""
        header.obj.refresh_from_db(from_queryset=locking.locked(type(header.obj).objects))
        units = {header.prefix: header.values_of(header.obj)}
        for form in self.cells:
            key = (form.cell.capability_id, form.cell.row_id)
            if key[header.kind == "row"] == header.obj.id:
                units[form.prefix] = CellForm.values_of(current.get(key) or Cell())
        if (whole := f"{header.prefix}-cells") in self.base:  # and its cells on other pages
            units[whole] = column_cells(self.table, capability=header.obj).get(whole, {})
        outcomes = {
            locking.decide(self.base.get(p, locking.UNKNOWN), locking.DELETED, fingerprint(now))
            for p, now in units.items()
        }
        if outcomes != {locking.SAVE_MINE}:
            mine = units[header.prefix]  # theirs too: as stored now
            conflict = {"prefix": header.prefix, "mine": mine, "theirs": mine, "obj": header.obj}
            self.conflicts.append({**conflict, "deleting": True})
        return outcomes == {locking.SAVE_MINE}

    def _lost(self):
        """Edits to rows and columns someone deleted since this page was loaded, named to the
        editor, not dropped in silence (a closed cell's one field compared with it as deleted)."""
        data, lost = self.data, []
        gone = [prefix for prefix in self.base if prefix not in self.loaded]
        cells = [prefix.split("-")[-1] for prefix in gone if prefix.startswith("cell-")]
        cells = Cell.history.filter(history_type="-", row_id__in=cells).order_by("history_date")
        cells = {f"cell-{c.capability_id}-{c.row_id}": c for c in cells}  # as deleted
        for prefix in gone:
            kind, *ids = prefix.split("-")
            units = CellForm.units if kind == "cell" else HeaderForm.units
            if not (values := posted_values(data, prefix, units)):
                continue  # not posted: untouched
            if kind == "cell" and not {"last_reviewed", "sources"} <= values.keys():
                was = CellForm.values_of(cells.get(prefix) or Cell(), sources=[])
                if all(text == normalized(was[name]) for name, text in values.items()):
                    continue
            elif fingerprint({name: values.get(name, "") for name in units}) == self.base[prefix]:
                continue
            if kind == "cell":
                column = data.get(f"col-{ids[0]}-name") or "a deleted column"
                row = data.get(f"row-{ids[1]}-name") or "a deleted row"
                level = dict(Level.choices).get(values.get("level"))
                text = values.get("note") or level or values.get("sources")
                lost.append(f"{row}, {column}: “{text or '(emptied)'}”")
            else:
                lost.append(f"the {'row' if kind == 'row' else 'column'} “{values['name']}”")
        return lost

    def _add(self, model, **fields):
        # After the others; nothing when another editor added the same one at the same moment.
        siblings = self.table.rows.all() if model is TableRow else self.table.capabilities.all()
        last = max((sibling.order for sibling in siblings), default=-1)
        with suppress(IntegrityError), transaction.atomic():
            model.objects.create(table=self.table, order=last + 1, **fields)
