"""One downloader middleware, for cloud-WAF cookie challenges.

Chinese government cloud WAFs (openresty "CT6T"-style, 网站云防护) answer a first visit with a 302
to the very same address plus a Set-Cookie, and serve the page once the cookie comes back. Scrapy's
RedirectMiddleware builds that second request correctly (the cookie jar adds the cookie), but the
scheduler's duplicate filter then drops it as already seen. This subclass marks only such
same-address redirects `dont_filter`; REDIRECT_MAX_TIMES still ends a real loop.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Response


class SameUrlRedirectMiddleware(RedirectMiddleware):
    def process_response(self, request: Request, response: Response, spider=None):
        result = super().process_response(request, response)
        if isinstance(result, Request) and result.url == request.url and not result.dont_filter:
            return result.replace(dont_filter=True)
        return result
