from io import StringIO

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .models import Article

FEED_LENGTH = 20
# Served as XML rather than application/rss+xml or atom+xml: browsers then apply the
# stylesheet and show a readable page instead of offering a download; feed readers do not mind.
READABLE_CONTENT_TYPE = "application/xml; charset=utf-8"


class ReadableFeedMixin:
    """A feed whose first line asks browsers to show it through a first-party XSLT page."""

    stylesheet = "feeds/feed.xsl"

    def write(self, outfile, encoding):
        # Like the parent's write(), with an xml-stylesheet processing instruction first.
        outfile.write(f'<?xml version="1.0" encoding="{encoding}"?>\n')
        outfile.write(f'<?xml-stylesheet type="text/xsl" href="{static(self.stylesheet)}"?>\n')
        body = self._without_declaration(super().write, encoding)
        outfile.write(body)

    @staticmethod
    def _without_declaration(write, encoding):
        buffer = StringIO()
        write(buffer, encoding)
        text = buffer.getvalue()
        return text.split("?>", 1)[1] if text.startswith("<?xml") else text


class ReadableRssFeed(ReadableFeedMixin, Rss201rev2Feed):
    content_type = READABLE_CONTENT_TYPE


class ReadableAtomFeed(ReadableFeedMixin, Atom1Feed):
    content_type = READABLE_CONTENT_TYPE


class LatestArticlesFeed(Feed):
    feed_type = ReadableRssFeed
    title = f"{settings.SITE_NAME}: articles"
    link = reverse_lazy("article-list")
    description = "New articles on how social platforms compare, in full."

    def items(self):
        return Article.objects.published()[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # Subscribers get the whole article, not a teaser.
        return article.body_html

    def item_author_name(self, article):
        return article.author

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = ReadableAtomFeed
    subtitle = LatestArticlesFeed.description
