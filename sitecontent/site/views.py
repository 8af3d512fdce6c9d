from django.shortcuts import render

from platforms.models import ComparisonPage, Platform
from sitecontent.models import Article
from sitecontent.page_cache import cacheable

from . import search


@cacheable
def home(request):
    pages = ComparisonPage.objects.published().prefetch_related("tables")
    context = {
        # Each page with its tables' names, to say what it covers.
        "pages": [(page, [table.name for table in page.tables.all()]) for page in pages],
        "articles": Article.objects.published()[:5],
        "compare_platforms": Platform.objects.public(),
    }
    return render(request, "site/home.html", context)


def site_search(request):
    query = request.GET.get("q", "").replace("\x00", "")
    try:
        hits, problem = search.search(query), ""
    except search.QueryProblem as error:
        hits, problem = [], str(error)
    context = {
        "search_query": query[: search.MAX_QUERY_LENGTH],
        "hits": hits,
        "problem": problem,
        "suggestions": search.suggestions(query) if query and not (hits or problem) else [],
        "examples": [] if query else Platform.objects.public()[:5],
    }
    return render(request, "site/search.html", context, status=400 if problem else 200)


@cacheable
def feed_list(request):
    platforms = Platform.objects.public().values("name", "slug")
    return render(request, "site/feeds.html", {"platforms": platforms})
