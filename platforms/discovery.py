"""JSON-LD descriptions of the comparison data, for search engines' dataset search."""

from django.conf import settings
from django.urls import reverse


def dataset_json_ld(dataset, base_url):
    """A schema.org Dataset for the open data page: the licence, the date, every download."""
    downloads = [
        {"@type": "DataDownload", "encodingFormat": "application/json", "name": name,
         "contentUrl": base_url + reverse(url_name)}
        for url_name, name in [
            ("platforms:data-all", "The whole dataset (JSON)"),
            ("platforms:data-package", "Data Package descriptor"),
        ]
    ]  # fmt: skip
    for table in dataset.tables:
        page = dataset.page_of[table.page_id]
        downloads.append({
            "@type": "DataDownload",
            "encodingFormat": "text/csv",
            "name": f"{page.title}: {table.title or table.slug}",
            "contentUrl": base_url + reverse(
                "platforms:data-table", args=[page.permalink.strip("/"), table.slug]
            ),
        })  # fmt: skip
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{settings.SITE_NAME}: comparison data",
        "description": "How social platforms compare, claim by claim: support levels, notes, "
        "sources and review dates of every published comparison table.",
        "url": base_url + reverse("platforms:open-data"),
        "license": settings.DATA_LICENSE["path"],
        "dateModified": dataset.as_of.isoformat(),
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": settings.SITE_NAME},
        "distribution": downloads,
    }
