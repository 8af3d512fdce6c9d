"""The pictures in real Chromium: each kind of chart passes axe in light and dark, its page does
not scroll sideways on a 375 px phone, and the Nu checker finds no error in it.

The launch content is imported two days ago (time-machine) and some levels edited today, so
that ?since=yesterday has improvements and declines to draw; otherwise as the `site` fixture of
tests/browser/conftest.py (which this module's `site` replaces)."""

import datetime
import urllib.request

import pytest
import time_machine

from platforms.models import Level
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    describe_violations,
    nu_errors,
    run_axe,
    seed,
    seeded_live_server,
)
from tests.conftest import cell_of, edit

pytestmark = pytest.mark.browser

PE = "/Personalized-Engagement/"
YESTERDAY = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).date()
# Each page and the charts it shows.
CHART_PAGES = {
    PE: ["coverage"],
    f"{PE}?since={YESTERDAY}": ["change-chart", "coverage"],
    "/platforms/slack/": ["level-bars"],
    f"/platforms/slack/?since={YESTERDAY}": ["change-chart", "level-bars"],
    "/capabilities/personalized-engagement/personal-engagement-across-social-networks/"
    "live-engagement-streaming-spaces-etc/": ["level-bars"],
}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    def seed_then_edit():
        two_days_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)
        with time_machine.travel(two_days_ago, tick=False):
            seed()
        edit(cell_of(PE, "facebook", level=Level.FULL), level=Level.PARTIAL, note="Only some")
        edit(cell_of(PE, "slack", level=Level.NONE), level=Level.FULL, note="Now there")

    with django_db_blocker.unblock(), seeded_live_server(seed_then_edit) as url:
        yield url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_charts_pass_axe_in_light_and_dark_and_fit_a_phone(axe, axe_page, site, viewport):
    problems = []
    page = axe_page
    page.set_viewport_size(viewport)
    for path, kinds in CHART_PAGES.items():
        page.goto(site + path)
        page.emulate_media(color_scheme="light")  # run_axe leaves the page in the dark one
        shown = page.locator("figure.chart").evaluate_all(
            "figures => figures.map(f => f.className.replace('chart ', ''))"
        )
        if shown != kinds:
            problems.append(f"{path}: charts {shown}, expected {kinds}")
        if page.locator("figure.chart svg[role=img]").count() != len(kinds):
            problems.append(f"{path}: a chart is not an image")
        page.locator("figure.chart details").evaluate_all("all => all.forEach(d => d.open = true)")
        width = page.evaluate("document.documentElement.scrollWidth")  # with the numbers shown
        if width > viewport["width"]:
            problems.append(f"{path}: {width}px wide on a {viewport['width']}px screen")
        if violations := run_axe(page):  # light and dark
            problems.append(f"{path}:\n{describe_violations(violations)}")
    assert not problems, "\n".join(problems)


def test_nu_html_checker_finds_no_errors_in_the_charts(java, site, tmp_path):
    pages = {path: urllib.request.urlopen(site + path).read() for path in CHART_PAGES}
    errors = nu_errors(java, pages, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)
