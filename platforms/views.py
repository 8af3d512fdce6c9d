from django.http import Http404, HttpResponseBadRequest, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers

from sitecontent.page_cache import cacheable
from sitecontent.publishing import get_visible_or_404

from . import explore
from .display import BadDate, end_of_day, page_tables, pages_public_at
from .models import ComparisonPage, Platform


def days_asked(request):
    """{"as_of": (day, moment) or None, "since": …} of the query string; BadDate if unreadable."""
    return {name: end_of_day(request.GET[name]) if request.GET.get(name) else None
            for name in ("as_of", "since")}  # fmt: skip


def bad_date(error):
    return HttpResponseBadRequest(f"{error}\n", content_type="text/plain; charset=utf-8")


@cacheable
def comparison_page(request, permalink):
    pages = ComparisonPage.objects.all()
    try:
        days = days_asked(request)
    except BadDate as error:
        return bad_date(error)
    moment = days["as_of"] and days["as_of"][1]
    if moment:  # the page as it stood, if it was live then and still is
        now_live = pages.published().filter(permalink=request.path_info).values("id")
        page = pages_public_at(moment).filter(id__in=now_live).first()
        if page is None:
            raise Http404("Not published on that day")
        is_preview = False
    else:
        try:
            page, is_preview = get_visible_or_404(request, pages, permalink=request.path_info)
        except Http404:
            # /partnerships/ for /Partnerships/: one address per page, the others lead to it.
            same = pages.published().filter(permalink__iexact=request.path_info).first()
            if same is None:
                raise
            return HttpResponsePermanentRedirect(same.permalink)
    tables = page_tables(page, moment, days["since"])
    for display in tables:
        display.arrange(request.GET)
    legend_table = next((d.table for d in tables if d.table.uses_levels), None)
    context = {
        "page": page,
        "tables": tables,
        "legend_table": legend_table,
        "preview": is_preview,
        **days,
    }
    response = render(request, "platforms/comparison_page.html", context)
    if is_preview:
        add_never_cache_headers(response)
    return response


@cacheable
def platform_index(request):
    platforms = list(Platform.objects.public())  # the list and the compare form: one query
    context = {"platforms": platforms, "compare_platforms": platforms}
    return render(request, "platforms/platform_index.html", context)


@cacheable
def platform_profile(request, slug):
    if slug != slug.lower():
        return HttpResponsePermanentRedirect(f"/platforms/{slug.lower()}/")
    try:
        days = days_asked(request)
    except BadDate as error:
        return bad_date(error)
    platform = get_object_or_404(Platform.objects.public(), slug=slug)
    moment = days["as_of"] and days["as_of"][1]
    summary, pages, changes = explore.platform_profile(platform, moment, days["since"])
    if moment and not pages:
        raise Http404("No published comparison mentioned this platform on that day")
    context = {"platform": platform, "summary": summary, "pages": pages, "changes": changes}
    if not moment:  # today's tools: comparing and the latest changes are not of that day
        context |= {"compare_platforms": Platform.objects.public(), "compare_with": platform}
    return render(request, "platforms/platform_profile.html", context | days)


@cacheable
def capability_index(request):
    tables = explore.capability_index()
    return render(request, "platforms/capability_index.html", {"tables": tables})


@cacheable
def capability(request, page, table, capability):
    key = f"{page}.{table}.{capability}"
    if key != key.lower():
        return HttpResponsePermanentRedirect(f"/capabilities/{page}/{table}/{capability}/".lower())
    found = explore.capability_claims(key)
    if found is None:
        raise Http404("No such capability")
    context = {"first": found[0], "claims": found}
    return render(request, "platforms/capability.html", context)


@cacheable
def compare_start(request):
    """The compare form, and its target: a choice redirects to the comparison's address."""
    slugs = request.GET.getlist("p")
    platforms = explore.canonical_compare([s.lower() for s in slugs]) if slugs else None
    if platforms:
        return redirect(explore.compare_path(platforms))
    message = f"Choose between {explore.COMPARE_MIN} and {explore.COMPARE_MAX} different platforms."
    context = {"compare_platforms": Platform.objects.public(), "message": message if slugs else ""}
    return render(request, "platforms/compare_start.html", context, status=400 if slugs else 200)


@cacheable
def compare(request, slugs, differences=False):
    platforms = explore.canonical_compare(explore.parse_compare_slugs(slugs))
    if platforms is None:
        raise Http404("Not a comparison of 2 to 4 known platforms")
    explore.with_profile_urls(platforms)
    canonical = explore.compare_path(platforms, differences)
    if request.path_info != canonical:
        return HttpResponsePermanentRedirect(canonical)
    context = {
        "platforms": platforms,
        "tables": explore.comparison(platforms, only_differences=differences),
        "differences": differences,
        "all_path": explore.compare_path(platforms),
        "differences_path": explore.compare_path(platforms, differences=True),
        "compare_platforms": Platform.objects.public(),
        "compare_checked": {p.id for p in platforms},
    }
    return render(request, "platforms/compare.html", context)


@cacheable
def choose(request):
    tables, all_claims = explore.needs_catalogue()
    known = {claim.key for _first, capabilities in tables for claim in capabilities}
    asked = request.GET.getlist("need")
    problems, status = [], 200
    if len(asked) > explore.MAX_NEEDS:
        problems.append(
            f"You ticked {len(asked)} needs; at most {explore.MAX_NEEDS} can be ranked at once. "
            "Untick some and try again."
        )
        needs, status = [], 400
    else:
        needs = list(dict.fromkeys(key for key in asked if key in known))
        unknown = [key for key in asked if key not in known]
        if unknown:
            problems.append(
                f"Ignored {len(unknown)} need(s) this site does not know: "
                + ", ".join(key[:80] for key in unknown[:5])
                + ("…" if len(unknown) > 5 else "")
            )
    ranking = explore.rank(needs, all_claims, list(Platform.objects.public())) if needs else []
    context = {
        "tables": tables,
        "needs": set(needs),
        "ranking": ranking,
        "problems": problems,
        "need_count": len(needs),
    }
    return render(request, "platforms/choose.html", context, status=status)
