from django.conf import settings


class AdminContentSecurityPolicyMiddleware:
    """Give the admin its own policy (it needs inline styles); public pages keep the strict one.

    Sits after ContentSecurityPolicyMiddleware in MIDDLEWARE, so it runs first on the way out
    and the CSP middleware reads the override it leaves on the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(("/admin/", "/markdownx/")):
            response._csp_config = settings.ADMIN_CSP
        return response
