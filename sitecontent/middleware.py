from django.conf import settings
from django.middleware import http

# Static files and uploads are never pages: even opened directly (an SVG, a disguised upload)
# they may run nothing, load nothing and be framed by nobody.
FILES_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; "
    "frame-ancestors 'none'"
)


class FileResponseHeadersMiddleware:
    """A restrictive policy on everything under STATIC_URL and MEDIA_URL; like the security and
    clickjacking middlewares (nosniff, DENY) it precedes WhiteNoise, which answers static files."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = (settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            response["Content-Security-Policy"] = FILES_POLICY
        return response


class ConditionalGetMiddleware(http.ConditionalGetMiddleware):
    """Django's, whose 304 keeps the answer's CORS header: a browser refuses another site's
    script a 304 without it (Django keeps only the headers RFC 9110 names)."""

    def process_response(self, request, response):
        answer = super().process_response(request, response)
        if answer is not response and "Access-Control-Allow-Origin" in response:
            answer["Access-Control-Allow-Origin"] = response["Access-Control-Allow-Origin"]
        return answer
