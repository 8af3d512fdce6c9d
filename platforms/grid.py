"""The grid editor: a whole comparison table on one form, saved all at once or not at all.

Each cell is a small form prefixed by its capability and platform; row and column order are
number inputs in the headers; one more form adds a platform row and another a capability
column. Plain POST, no JavaScript needed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .models import Capability, Cell, Level, Platform, TableRow


class CellForm(forms.Form):
    level = forms.ChoiceField(required=False, choices=[("", "—"), *Level.choices])
    note = forms.CharField(required=False, max_length=2000)
    last_reviewed = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, cell, uses_levels, **kwargs):
        self.cell = cell
        initial = {"level": cell.level, "note": cell.note, "last_reviewed": cell.last_reviewed}
        super().__init__(*args, initial=initial, **kwargs)
        if not uses_levels:
            del self.fields["level"]

    def clean(self):
        data = super().clean()
        self.cell.level = data.get("level", "")
        self.cell.note = data.get("note", "")
        self.cell.last_reviewed = data.get("last_reviewed")
        try:
            self.cell.full_clean()
        except ValidationError as error:
            for message in error.messages:
                self.add_error(None, message)
        return data


class OrderForm(forms.Form):
    order = forms.IntegerField(min_value=0, max_value=9999)


class AddRowForm(forms.Form):
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.none(), required=False, label="Add a platform row"
    )
    label = forms.CharField(
        required=False,
        max_length=200,
        help_text="Optional: how this table names it, e.g. “WhatsApp (Meta)”.",
    )

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.exclude(table_rows__table=table)


class AddColumnForm(forms.Form):
    name = forms.CharField(required=False, max_length=200, label="Add a capability column")

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


class GridEditor:
    """All the forms of one table's grid, validated together and saved in one transaction.

    `table` should come from ComparisonTable.objects.with_cells(), so that its grid costs no query
    per row or column."""

    def __init__(self, table, data=None):
        self.table = table
        self.capabilities = list(table.capabilities.all())
        self.rows = list(table.rows.all())
        self.grid = []
        for row, row_cells in table.grid:
            cells = []
            for capability, cell in zip(self.capabilities, row_cells, strict=True):
                cell = cell or Cell(capability=capability, row=row)
                form = CellForm(
                    data,
                    cell=cell,
                    uses_levels=table.uses_levels,
                    prefix=f"cell-{capability.id}-{row.id}",
                )
                cells.append(form)
            row_order = OrderForm(data, prefix=f"row-{row.id}", initial={"order": row.order})
            self.grid.append((row, row_order, cells))
        self.column_orders = [
            (cap, OrderForm(data, prefix=f"col-{cap.id}", initial={"order": cap.order}))
            for cap in self.capabilities
        ]
        self.add_row = AddRowForm(data, table=table, prefix="add-row")
        self.add_column = AddColumnForm(data, table=table, prefix="add-column")

    @property
    def add_forms(self):
        return [self.add_row, self.add_column]

    def forms(self):
        yield from (form for _row, order, cells in self.grid for form in (order, *cells))
        yield from (form for _cap, form in self.column_orders)
        yield self.add_row
        yield self.add_column

    def is_valid(self):
        return all([form.is_valid() for form in self.forms()])

    @property
    def error_count(self):
        return sum(1 for form in self.forms() if form.errors)

    @transaction.atomic
    def save(self):
        """Write what changed; returns the number of cells changed."""
        changed = 0
        for row, order_form, cells in self.grid:
            if order_form.has_changed():
                row.order = order_form.cleaned_data["order"]
                row.save()
            for form in cells:
                if form.has_changed() or (form.cell.pk is None and not form.cell.is_empty):
                    form.cell.save()
                    changed += 1
        for capability, form in self.column_orders:
            if form.has_changed():
                capability.order = form.cleaned_data["order"]
                capability.save()
        self._add_column()
        self._add_row()
        return changed

    def _add_row(self):
        platform = self.add_row.cleaned_data.get("platform")
        if not platform:
            return
        last = max((row.order for row in self.rows), default=-1)
        try:
            with transaction.atomic():
                TableRow.objects.create(
                    table=self.table,
                    platform=platform,
                    label=self.add_row.cleaned_data["label"],
                    order=last + 1,
                )
        except IntegrityError:
            # Another editor added the same platform at the same moment.
            return

    def _add_column(self):
        name = self.add_column.cleaned_data.get("name")
        if not name:
            return
        last = max((cap.order for cap in self.capabilities), default=-1)
        try:
            with transaction.atomic():
                capability = Capability.objects.create(
                    table=self.table, name=name, slug=slugify(name), order=last + 1
                )
        except IntegrityError:
            # Another editor added the same column at the same moment.
            return
        self.capabilities.append(capability)
