"""The read-only API at /api/v1/, each answer ?as_of=YYYY-MM-DD: the open data's documents
(opendata.Dataset) and the change log. The schemas only describe them in /api/v1/openapi.json:
views return finished HttpResponses, which Ninja passes on."""

from datetime import date, datetime
from functools import cache
from typing import Literal

import orjson
from django.conf import settings
from django.http import HttpResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from pydantic import create_model

from sitecontent.page_cache import cacheable

from . import changes, models
from .display import end_of_day
from .opendata import Dataset, live_pages

CORS = {"Access-Control-Allow-Origin": "*"}  # any site may read the open data


class CorsAPI(NinjaAPI):
    def create_response(self, request, data, **kwargs):  # Ninja's own: errors
        response = super().create_response(request, data, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


api = CorsAPI(
    title=f"{settings.SITE_NAME} API", version="1", urls_namespace="api", docs_url=None,
    description="Published comparison data, read only, under the licence each answer names.",
    openapi_url=None,  # served below, cached and with CORS like every answer
)  # fmt: skip
openapi_document = cache(lambda prefix: api.get_openapi_schema(path_prefix=prefix))  # 20 ms


# --- What the answers hold: the open data's field names ----------------------------------------


def schema(title, /, *bases, **fields):
    """A shape for the OpenAPI document: fields as name=type, or (type, Field(…))."""
    return create_model(title, __base__=bases or (Schema,), **fields)


Licence = schema("Licence", name=str, title=str, path=str)
Header = schema("Header", licence=Licence, as_of=datetime, levels=dict[str, str])
Source = schema("Source", url=str, title=str, accessed=date | None)
Level = Literal[tuple(models.Level.values)]
Cell = schema("Cell", level=Level | None, note=str, last_reviewed=date | None, sources=list[Source])
Column = schema("Column", slug=str, name=str, description=str)
Row = schema("Row", platform=str | None, label=str, cells=(dict[str, Cell | None], Field(
    description="The row's claims by column slug; null: no cell.")))  # fmt: skip
TableEntry = schema("TableEntry", page=str, slug=str, title=str, section_heading=str,
                    platform_column=str, uses_levels=bool, url=str, cell_anchor=str, csv=str,
                    columns=list[Column])  # fmt: skip
PageTable = schema("PageTable", TableEntry, rows=list[Row])
PageSummary = schema("PageSummary", title=str, heading=str, description=str, url=str,
                     json_download=(str, Field(alias="json")), published=datetime,
                     updated=datetime)  # fmt: skip
Platform = schema("Platform", slug=str, name=str, parent_company=str)
Capability = schema("Capability", Column, page=str, table=str)
Claim = schema("Claim", Cell, page=str, table=str, capability=str, platform=str | None, url=str)
Kind = Literal[changes.KIND_CELL, changes.KIND_PAGE, changes.KIND_ARTICLE]
Change = schema("Change", kind=Kind, id=str, date=datetime, title=str, url=str, platform=str,
                level_before=str, level_after=str, note_before=str, note_after=str)  # fmt: skip
Changes = schema("Changes", licence=Licence, count=int, page=int, pages=int, next=str | None,
                 changes=list[Change])  # fmt: skip
Error = schema("Error", detail=str)


DAY = "YYYY-MM-DD, today at the latest"
AS_OF = Query(None, description=f"The data as published at the end of this day ({DAY}).")
SINCE = Query(None, description=f"Only changes after this day ({DAY}).")
UNTIL = Query(None, description=f"Only changes up to the end of this day ({DAY}).")


def answer(document):
    content = orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)  # OpenAPI's status keys
    return HttpResponse(content, content_type="application/json", headers=CORS)


def moment_of(day):
    """The end of a ?as_of= or ?since= day (None without one), or a 400 saying what is wrong."""
    try:
        return end_of_day(day)[1] if day else None
    except ValueError as error:
        raise HttpError(400, str(error)) from None


def dataset(as_of, page=None):
    """The published data (of the page whose permalink is `page` without slashes)."""
    moment = moment_of(as_of)
    filters = {"permalink": f"/{page.strip('/')}/"} if page else {}
    return Dataset(live_pages(moment, **filters), moment=moment)


def the_one(items, what):
    if not items:
        raise HttpError(404, f"No such {what}")
    return items[0]


def get(path, shape):
    """A GET operation answering `shape` (or an Error), cached whole without a query string."""
    route = api.get(path, response={200: shape, 400: Error, 404: Error}, by_alias=True)
    return lambda view: route(decorate_view(cacheable)(view))


@get("/pages/", schema("Pages", Header, pages=list[PageSummary]))
def page_list(request, as_of: str | None = AS_OF):
    data = dataset(as_of)
    return answer({**data.header(), "pages": [data.page_summary(page) for page in data.pages]})


@get("/pages/{path:page}/", schema("Page", Header, PageSummary, tables=list[PageTable]))
def page_detail(request, page: str, as_of: str | None = AS_OF):
    data = dataset(as_of, page)
    return answer({**data.header(), **data.page_json(the_one(data.pages, "page"))})


@get("/tables/", schema("Tables", Header, tables=list[TableEntry]))
def table_list(request, as_of: str | None = AS_OF):
    data = dataset(as_of)
    return answer({**data.header(), "tables": [data.table_summary(t) for t in data.tables]})


@get("/tables/{path:page}/{table}/", schema("Table", Header, PageTable))
def table_detail(request, page: str, table: str, as_of: str | None = AS_OF):
    data = dataset(as_of, page)
    found = the_one([each for each in data.tables if each.slug == table], "table")
    return answer({**data.header(), **data.table_json(found)})


@get("/platforms/", schema("Platforms", Header, platforms=list[Platform]))
def platform_list(request, as_of: str | None = AS_OF):
    data = dataset(as_of)
    return answer({**data.header(), "platforms": data.platforms_json()})


@get("/platforms/{slug}/", schema("PlatformClaims", Header, Platform, claims=list[Claim]))
def platform_detail(request, slug: str, as_of: str | None = AS_OF):
    data = dataset(as_of)
    platform = the_one([each for each in data.platforms_json() if each["slug"] == slug], "platform")
    return answer({**data.header(), **platform, "claims": data.claims_json(platform=slug)})


@get("/capabilities/", schema("Capabilities", Header, capabilities=list[Capability]))
def capability_list(request, as_of: str | None = AS_OF):
    data = dataset(as_of)
    return answer({**data.header(), "capabilities": data.capabilities_json()})


@get("/claims/", schema("Claims", Header, claims=list[Claim]))
def claim_list(request, as_of: str | None = AS_OF, page: str | None = None,
               table: str | None = None, capability: str | None = None,
               platform: str | None = None):  # fmt: skip
    """Claims of published pages, of the page (its permalink without slashes), table,
    capability and platform given (slugs)."""
    data = dataset(as_of, page)
    claims = data.claims_json(table=table, capability=capability, platform=platform)
    return answer({**data.header(), "claims": claims})


@get("/changes/", Changes)
def change_list(request, platform: str | None = None, page: int = 1,
                since: str | None = SINCE, as_of: str | None = UNTIL):  # fmt: skip
    """The change log, newest first, a page at a time: claims whose level or note changed
    after their page went live, new pages and new articles (only claims with a platform)."""
    public = models.Platform.objects.public().filter(slug=platform)
    found = the_one(public, "platform") if platform else None
    listed, entries = changes.change_page(page, found, moment_of(since), moment_of(as_of))
    query = request.GET.copy()
    query["page"] = listed.number + 1
    return answer({
        "licence": settings.DATA_LICENSE, "count": listed.paginator.count,
        "page": listed.number, "pages": listed.paginator.num_pages,
        "next": f"{request.path}?{query.urlencode()}" if listed.has_next() else None,
        "changes": entries,
    })  # fmt: skip


@api.get("/openapi.json", include_in_schema=False)
@decorate_view(cacheable)
def openapi(request):
    return answer(openapi_document(request.path.removesuffix("openapi.json")))


def not_found(request, rest=""):  # any other address under /api/
    return api.create_response(request, {"detail": "No such address in the API"}, status=404)
