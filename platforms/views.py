from collections import Counter
from functools import wraps

import orjson
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods

from sitecontent.page_cache import cacheable
from sitecontent.publishing import get_visible_or_404

from . import changes, explore, opendata, reports
from .api import CORS
from .charts import level_bars
from .display import claim_view, end_of_day, page_tables
from .models import ComparisonPage, Level, Platform, cell_url

TIMELINE_DAYS = 5  # on a profile; a page of the whole timeline has four times as many


def with_days(view):
    """The view given days={"as_of": (day, moment) or None, "since": …}, moment=as_of's; or 400."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            days = {name: end_of_day(request.GET[name]) if request.GET.get(name) else None
                    for name in ("as_of", "since")}  # fmt: skip
            if days["as_of"] and days["since"] and days["since"][0] > days["as_of"][0]:
                raise ValueError("since is after as_of: changes are counted up to that day")
        except ValueError as error:  # a day not written YYYY-MM-DD, or yet to come
            return HttpResponse(f"{error}\n", content_type="text/plain; charset=utf-8", status=400)
        return view(request, *args, days=days, moment=days["as_of"] and days["as_of"][1], **kwargs)

    return wrapper


def moved(request, to, *args):
    """A permanent redirect to a page's one address, keeping the query (the day asked for…)."""
    url = resolve_url(to, *args)
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url, permanent=True)


@cacheable
@with_days
def comparison_page(request, permalink, days, moment):
    is_preview, pages, path = False, ComparisonPage.objects.all(), request.path_info
    try:
        if not moment:
            page, is_preview = get_visible_or_404(request, pages, permalink=path)
        elif not (page := opendata.live_pages(moment, permalink=path).first()):
            raise Http404("Not published on that day")  # as it stood: if live then and now
    except Http404:
        # /partnerships/ for /Partnerships/: one address per page, the others lead to it.
        same = pages.published().filter(permalink__iexact=path).exclude(permalink=path).first()
        if same is None:
            raise
        return moved(request, same)
    tables = page_tables(page, moment, days["since"])
    for display in tables:
        display.arrange(request.GET)
    legend_table = next((d.table for d in tables if d.table.uses_levels), None)
    context = {"page": page, "tables": tables, "legend_table": legend_table, "preview": is_preview}
    response = render(request, "platforms/comparison_page.html", context | days)
    if is_preview:
        add_never_cache_headers(response)
    return response


@cacheable
def platform_index(request):
    platforms = list(Platform.objects.public())  # the list and the compare form: one query
    context = {"platforms": platforms, "compare_platforms": platforms}
    return render(request, "platforms/platform_index.html", context)


@cacheable
@with_days
def platform_profile(request, slug, days, moment):
    if slug != slug.lower():
        return moved(request, "platforms:platform-profile", slug.lower())
    context = explore.platform_profile(slug, moment, days["since"])
    if context is None:
        raise Http404("No published comparison mentioned this platform (on that day)")
    context |= days
    if not moment:  # today's tools: comparing and the timeline are not of that day
        platform = context["platform"]
        context["timeline"] = changes.platform_timeline(platform)[:TIMELINE_DAYS]
        context |= {"compare_platforms": Platform.objects.public(), "compare_with": platform}
    return render(request, "platforms/platform_profile.html", context)


@cacheable
def platform_timeline(request, slug):
    platform = get_object_or_404(Platform.objects.public(), slug=slug)
    days = Paginator(changes.platform_timeline(platform), TIMELINE_DAYS * 4)
    page = days.get_page(request.GET.get("page"))
    context = {"platform": platform, "page_obj": page, "timeline": page.object_list}
    return render(request, "platforms/platform_timeline.html", context)


@cacheable
def badge(request, slug, page, table, capability):
    """One platform's claim for a capability as a small SVG, for READMEs and articles."""
    found = explore.capability_claims(f"{page}.{table}.{capability}")
    claim = next((claim for claim in found if claim.platform_slug == slug), None)
    if claim is None:
        raise Http404("No published claim of this platform for this capability")
    label = claim.level.short_label if claim.level else "see the claim"
    # Widths from the text: about 6.5 px a character of 11 px Verdana (shields.io's estimate),
    # 18 px for the level's mark, 8 px of padding on each side.
    left = round(6.5 * len(f"{claim.platform_name} · {claim.capability_name}")) + 16
    right = round(6.5 * len(label)) + 16 + (18 if claim.level else 0)
    context = {"claim": claim, "label": label, "left": left, "right": right}
    response = render(request, "platforms/badge.svg", context, content_type="image/svg+xml")
    response["Access-Control-Allow-Origin"] = "*"  # an image for other sites
    return response


@cacheable
def capability_index(request):
    tables = explore.capability_index()
    return render(request, "platforms/capability_index.html", {"tables": tables})


@cacheable
@with_days
def capability(request, page, table, capability, days, moment):
    key = f"{page}.{table}.{capability}"
    if key != key.lower():
        return moved(request, "platforms:capability", *map(str.lower, (page, table, capability)))
    found = explore.capability_claims(key, moment)
    if not found:
        raise Http404("No such capability (on that day)")
    ids = {claim.capability_id for claim in found}
    changes = explore.mark_changes(found, days["since"], "platform", capability__in=ids)
    context = {"first": found[0], "claims": found, "changes": changes, **days}
    context["levels"] = level_bars([(found[0].capability_name, Counter(c.level for c in found))])
    return render(request, "platforms/capability.html", context)


@cacheable
def compare_start(request):
    """The compare form, and its target: a choice redirects to the comparison's address."""
    slugs = request.GET.getlist("p")
    platforms = explore.canonical_compare(slugs) if slugs else None
    if platforms:
        return redirect("platforms:compare-platforms", "-vs-".join(p.slug for p in platforms))
    message = f"Choose between {explore.COMPARE_MIN} and {explore.COMPARE_MAX} different platforms."
    context = {"compare_platforms": Platform.objects.public(), "message": message if slugs else ""}
    return render(request, "platforms/compare_start.html", context, status=400 if slugs else 200)


@cacheable
@with_days
def compare(request, slugs, days, moment, differences=False):
    platforms = explore.canonical_compare(slugs.lower().split("-vs-"))
    if platforms is None:
        raise Http404("Not a comparison of 2 to 4 known platforms")
    for platform in platforms:  # reversed once, not per table
        platform.profile_url = reverse("platforms:platform-profile", args=[platform.slug])
    joined = "-vs-".join(p.slug for p in platforms)
    all_path = reverse("platforms:compare-platforms", args=[joined])
    differences_path = reverse("platforms:compare-differences", args=[joined])
    canonical = differences_path if differences else all_path
    if request.path_info != canonical:
        return moved(request, canonical)
    tables, changes = explore.comparison(platforms, differences, moment, days["since"])
    if moment and tables is None:
        raise Http404("No published table had a row of these platforms on that day")
    context = {"platforms": platforms, "tables": tables, "differences": differences, **days}
    context |= {"changes": changes, "all_path": all_path, "differences_path": differences_path}
    context["compare_platforms"] = Platform.objects.public()
    context["compare_checked"] = {p.id for p in platforms}
    return render(request, "platforms/compare.html", context)


@cacheable
def choose(request):
    tables, all_claims = explore.needs_catalogue()
    known = {claim.key for _first, capabilities in tables for claim in capabilities}
    asked = request.GET.getlist("need")
    too_many = len(asked) > explore.MAX_NEEDS  # nothing is ranked then
    needs = [] if too_many else list(dict.fromkeys(key for key in asked if key in known))
    ranking = explore.rank(needs, all_claims, list(Platform.objects.public())) if needs else []
    context = {"tables": tables, "needs": set(needs), "ranking": ranking, "need_count": len(needs)}
    context |= {"too_many": too_many, "asked_count": len(asked), "max_needs": explore.MAX_NEEDS}
    context["unknown"] = [] if too_many else [key for key in asked if key not in known]
    return render(request, "platforms/choose.html", context, status=400 if too_many else 200)


# --- Visitors' tools (their logic is in reports.py, changes.py and opendata.py) ---------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_claim(request):
    cells, about = reports.scope_of(request.GET)
    data = request.POST if request.method == "POST" else None
    form = reports.ClaimReportForm(data, cells=cells, initial={"cell": request.GET.get("cell")})
    # Over the limit, the visitor's text stays on the page (with its own errors), unsaved.
    limited = form.is_bound and reports.over_rate_limit(request)
    if form.is_bound and not limited and form.is_valid():
        form.instance.sender = reports.sender_of(request)
        report = form.save()
        reports.notify_editors(report, request)
        return redirect(f"{reverse('platforms:report-thanks')}?cell={report.cell_id}")
    status = 429 if limited else 400 if form.is_bound else 200
    context = {"form": form, "rate_limited": limited, "about": about}
    return render(request, "platforms/report_claim.html", context, status=status)


@never_cache
def report_thanks(request):
    cells, _about = reports.scope_of(request.GET)
    cell = cells.first() if "cell" in request.GET else None
    context = {"cell": cell, "cell_url": cell_url(cell) if cell else None}
    return render(request, "platforms/report_thanks.html", context)


@cacheable
def change_log(request, slug=None):
    platform = get_object_or_404(Platform.objects.public(), slug=slug) if slug else None
    page, entries = changes.change_page(request.GET.get("page"), platform)
    context = {"page_obj": page, "changes": entries, "platform": platform}
    return render(request, "platforms/changes.html", context)


def open_data_response(content, filename):
    """A download any site may fetch: CSV text, or a document written by orjson (json.dumps'
    compact UTF-8 in a tenth of the time: 11 ms of /data/all.json's 46 at launch content x 10)."""
    csv = filename.endswith(".csv")
    kind = "text/csv" if csv else "application/json"
    headers = {"Content-Disposition": f'inline; filename="{filename}"', **CORS}
    body = content if csv else orjson.dumps(content)
    return HttpResponse(body, f"{kind}; charset=utf-8", headers=headers)


def live_page_data(permalink, slug=None, with_html=False):
    """(page, its Dataset, its table named slug or None) of a live page, or 404."""
    dataset = opendata.Dataset(opendata.live_pages(permalink=f"/{permalink}/"), with_html)
    if not dataset.pages:
        raise Http404("No such page")
    table = next((t for t in dataset.tables if t.slug == slug), None)
    if slug and table is None:
        raise Http404("No such table")
    return dataset.pages[0], dataset, table


@cacheable
def data_index(request):
    dataset = opendata.Dataset()
    base = request.build_absolute_uri("/").rstrip("/")
    pages = [(page, dataset.tables_of(page)) for page in dataset.pages]
    context = {"dataset": dataset, "pages": pages, "licence": settings.DATA_LICENSE}
    context |= {"level_codes": Level, "json_ld": dataset.json_ld(base), "og_title": "Open data"}
    return render(request, "platforms/open_data.html", context)


@cacheable
def data_package(request):
    base = request.build_absolute_uri("/").rstrip("/")
    return open_data_response(opendata.Dataset().package(base), "datapackage.json")


@cacheable
def data_all(request):
    return open_data_response(opendata.Dataset().whole_json(), "platform-compare.json")


@cacheable
def data_page(request, permalink):
    page, dataset, _table = live_page_data(permalink)
    return open_data_response(dataset.header() | dataset.page_json(page), f"{page.pk}.json")


@cacheable
def data_table(request, permalink, slug):
    _page, dataset, table = live_page_data(permalink, slug)
    return open_data_response(dataset.table_csv(table), f"{slug}.csv")


# Embeds are the only pages other sites may frame. They skip the whole-page cache, whose hits
# would come back without these per-view headers (and so be refused in frames).
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


@csp_override(EMBED_CSP)
@xframe_options_exempt
def embed_table(request, permalink, slug, platform=None):
    """A table, or one platform's row of it, for other sites' iframes."""
    page, dataset, table = live_page_data(permalink, slug, with_html=True)
    capabilities, rows = dataset.capabilities.get(table.pk, []), dataset.rows.get(table.pk, [])
    if platform:
        rows = [row for row in rows if row.platform_slug == platform]
        if not rows:
            raise Http404("This platform has no row in the table")
    labels = [cap.plain_name for cap in capabilities]
    grid, reviewed = [], []
    for row in rows:
        cells = [dataset.cells.get((row.pk, cap.pk), opendata.NO_CELL) for cap in capabilities]
        # Each claim labelled with its capability: the cards of narrow embeds show it.
        grid.append((row, [
            claim_view(c.level, c.note_html, label=name, note=c.note, legend=table.legend)
            for c, name in zip(cells, labels, strict=True)
        ]))  # fmt: skip
        reviewed += [cell.last_reviewed for cell in cells if cell.last_reviewed]
    context = {"page": page, "table": table, "capabilities": capabilities, "grid": grid}
    context |= {"licence": settings.DATA_LICENSE, "verified_on": max(reviewed, default=None)}
    context["source_url"] = request.build_absolute_uri(f"{page.permalink}#{table.slug}")
    context["single_row"] = bool(platform)
    return render(request, "platforms/embed.html", context)
