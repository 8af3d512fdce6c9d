from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .markdown import without_control_characters
from .models import Article


class XmlSafe:
    """A feed generator dropping what XML cannot carry from all fields (old history may hold it)."""

    def __init__(self, **fields):
        super().__init__(**{k: without_control_characters(v) for k, v in fields.items()})

    def add_item(self, **fields):
        super().add_item(**{k: without_control_characters(v) for k, v in fields.items()})


class RssFeed(XmlSafe, Rss201rev2Feed):
    pass


class AtomFeed(XmlSafe, Atom1Feed):
    pass


class LatestArticlesFeed(Feed):
    feed_type = RssFeed
    title = f"{settings.SITE_NAME}: articles"
    link = reverse_lazy("sitecontent:article-list")
    description = "New articles on how social platforms compare, in full."

    def items(self):
        return Article.objects.published()[:20]

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
    feed_type = AtomFeed
    subtitle = LatestArticlesFeed.description
