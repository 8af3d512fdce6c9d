"""Visitors' tools around the comparison data: report a claim, open data, the change
log and embeds. Logic lives in the feature modules (reports.py, opendata.py,
changes.py, embeds.py); these views only connect requests to them."""

import orjson
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods

from sitecontent.page_cache import cacheable

from . import changes, embeds, opendata, reports
from .models import ComparisonPage, Level, Platform, cell_url


@never_cache
@require_http_methods(["GET", "POST"])
def report_claim(request):
    cells, about = reports.scope_of(request.GET)
    status = 200
    if request.method == "POST":
        form = reports.ClaimReportForm(request.POST, cells=cells)
        if reports.over_rate_limit(request):
            form.is_valid()  # keep the visitor's text on the page, with its own errors
            status = 429
        elif form.is_valid():
            form.instance.sender = reports.sender_of(request)
            report = form.save()
            reports.notify_editors(report, request)
            return HttpResponseRedirect(
                f"{reverse('platforms:report-thanks')}?cell={report.cell_id}"
            )
        else:
            status = 400
    else:
        form = reports.ClaimReportForm(cells=cells, initial={"cell": request.GET.get("cell")})
    context = {"form": form, "rate_limited": status == 429, "about": about}
    return render(request, "platforms/report_claim.html", context, status=status)  # fmt: skip


@never_cache
def report_thanks(request):
    cells, _about = reports.scope_of(request.GET)
    cell = cells.first() if "cell" in request.GET else None
    context = {"cell": cell, "cell_url": cell_url(cell) if cell else None}
    return render(request, "platforms/report_thanks.html", context)


@cacheable
def change_log(request):
    page, entries = changes.change_page(request.GET.get("page"))
    return render(request, "platforms/changes.html", {"page_obj": page, "changes": entries})


@cacheable
def platform_change_log(request, slug):
    platform = get_object_or_404(Platform.objects.public(), slug=slug)
    page, entries = changes.change_page(request.GET.get("page"), platform)
    context = {"page_obj": page, "changes": entries, "platform": platform}
    return render(request, "platforms/changes.html", context)


# --- open data -------------------------------------------------------------------------------


def open_data_response(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # any site may fetch the open data
    return response


def json_response(document, filename):
    # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) writes, byte for
    # byte, in a tenth of the time: 11 ms of /data/all.json's 46 at the launch content x 10.
    return open_data_response(orjson.dumps(document), "application/json; charset=utf-8", filename)


def live_page_data(permalink, slug=None, with_html=False):
    """(page, its Dataset, its table named slug or None) for a live page's permalink without
    slashes, or 404."""
    pages = ComparisonPage.objects.published().filter(permalink=f"/{permalink}/")
    dataset = opendata.Dataset(pages, with_html=with_html)
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
    context = {
        "dataset": dataset,
        "pages": [(page, dataset.tables_of(page)) for page in dataset.pages],
        "licence": settings.DATA_LICENSE,
        "level_codes": list(Level),
        "json_ld": dataset.json_ld(base),
        "og_title": "Open data",
    }
    return render(request, "platforms/open_data.html", context)


@cacheable
def data_package(request):
    base = request.build_absolute_uri("/").rstrip("/")
    return json_response(opendata.Dataset().package(base), "datapackage.json")


@cacheable
def data_all(request):
    return json_response(opendata.Dataset().whole_json(), "platform-compare.json")


@cacheable
def data_page(request, permalink):
    page, dataset, _table = live_page_data(permalink)
    return json_response({**dataset.header(), **dataset.page_json(page)}, f"{page.pk}.json")


@cacheable
def data_table(request, permalink, slug):
    _page, dataset, table = live_page_data(permalink, slug)
    return open_data_response(dataset.table_csv(table), "text/csv; charset=utf-8", f"{slug}.csv")


# --- embeds ----------------------------------------------------------------------------------

# Embeds are the only pages other sites may frame. They skip the whole-page cache, whose hits
# would come back without these per-view headers (and so be refused in frames).
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


@csp_override(EMBED_CSP)
@xframe_options_exempt
def embed_table(request, permalink, slug, platform=None):
    page, dataset, table = live_page_data(permalink, slug, with_html=True)
    context = embeds.embed_context(request, page, dataset, table, platform)
    return render(request, "platforms/embed.html", context)
