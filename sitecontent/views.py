from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.static import serve

from .models import AboutPage, Article
from .page_cache import cacheable
from .publishing import get_visible_or_404

PLAIN_TEXT = "text/plain; charset=utf-8"


@cacheable
def about(request):
    page = AboutPage.objects.first()
    if page is None:
        raise Http404("No about page yet")
    return render(request, "sitecontent/about.html", {"page": page})


@cacheable
def article_list(request):
    articles = Article.objects.published()
    return render(request, "sitecontent/article_list.html", {"articles": articles})


@cacheable
def article_detail(request, slug):
    article, is_preview = get_visible_or_404(request, Article.objects.all(), slug=slug)
    context = {"article": article, "preview": is_preview}
    response = render(request, "sitecontent/article_detail.html", context)
    if is_preview:
        add_never_cache_headers(response)
    return response


def security_txt(request):
    expires = timezone.now().replace(microsecond=0) + timezone.timedelta(days=180)
    context = {"contact": settings.SECURITY_CONTACT, "expires": expires.isoformat()}
    return render(request, "sitecontent/security.txt", context, content_type=PLAIN_TEXT)


@cacheable
def robots_txt(request):
    return render(request, "sitecontent/robots.txt", content_type=PLAIN_TEXT)


def media(request, path):
    # MEDIA_ROOT read at each request, not fixed when the URLconf loads.
    return serve(request, path, document_root=settings.MEDIA_ROOT)
