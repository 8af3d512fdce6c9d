"""Queries compiled once per process (sitecontent/compiled_queries.py) give, for any values,
exactly what the same querysets give through the ORM, on SQLite and PostgreSQL alike."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from platforms import explore, opendata
from platforms.models import Cell, ComparisonPage, Platform
from sitecontent.compiled_queries import CompiledQuery, as_date


class CompiledQueriesMatchTheOrm(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.core.management import call_command

        from tests.conftest import SEEDS_DIR

        call_command("import_markdown", str(SEEDS_DIR), verbosity=0)
        cls.platform_ids = list(Platform.objects.values_list("id", flat=True))
        cls.page_ids = list(ComparisonPage.objects.values_list("id", flat=True))

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_claims_of_any_platforms_at_any_time(self, data):
        ids = data.draw(st.lists(st.sampled_from(self.platform_ids), min_size=1, max_size=4))
        hours = data.draw(st.integers(min_value=-24 * 365 * 30, max_value=24 * 365))
        now = timezone.now() + timedelta(hours=hours)
        compiled = explore.CLAIM_ROWS.rows(now=now, row__platform__in=ids)
        expected = (
            explore._live_cells(now, row__platform__in=ids)
            .order_by(*explore.CLAIM_ORDER)
            .values_list(*explore.CLAIM_FIELDS)
        )
        # SQLite hands a raw cursor the review date as text (field 4), and flags as 0/1.
        assert [(*row[:4], as_date(row[4]), *row[5:]) for row in compiled] == list(expected)

    @settings(max_examples=25, deadline=None)
    @given(data=st.data())
    def test_cells_of_any_pages(self, data):
        pages = data.draw(st.lists(st.sampled_from(self.page_ids + [10**9]), max_size=3))
        with_html = data.draw(st.booleans())
        compiled = opendata.CELLS.rows(pages=pages, with_html=with_html)
        html = "note_html" if with_html else "note"
        expected = Cell.objects.filter(capability__table__page__in=pages).values_list(
            "id", "level", "note", html, "last_reviewed"
        )
        got = {row[0]: (row[1], row[2], row[3], as_date(row[4])) for row in compiled}
        want = {row[0]: (row[1], row[2], row[3] if with_html else "", row[4]) for row in expected}
        assert got == want


def test_a_value_the_sql_never_sees_is_refused(db):
    """A value that does not reach the SQL as a parameter (here: one the queryset ignores)
    could never be swapped: compiling refuses it rather than serve the first call's SQL."""
    query = CompiledQuery(lambda name: Platform.objects.values_list("id"))
    with pytest.raises(ValueError, match="does not reach its SQL"):
        query.rows(name="Telegram")


def test_a_query_that_can_match_nothing_gives_no_rows(db):
    query = CompiledQuery(lambda ids: Platform.objects.filter(id__in=ids).values_list("id"))
    assert query.rows(ids=[]) == []
    assert len(query.rows(ids=[Platform.objects.first().id])) == 1
