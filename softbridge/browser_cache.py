"""Answers are not kept in the browser's cache (ASVS 8.2.1).

Pages, API answers and exports hold residents' names, ID numbers and phone numbers; an
office computer is shared and a phone changes hands, and a cached page can be read back
from the disk or with the Back button after signing out. So every answer of the app says
`Cache-Control: no-store`, unless its view chose a caching policy itself (Django's never_cache
pages already say no-store). Static files are answered by WhiteNoise before this middleware
and keep their year-long caching.
"""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response
