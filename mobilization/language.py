"""The page language: the person's own choice (the switch on every page), else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones
in the commune are set to English; the commune works in Vietnamese, so that is the
default until someone picks English with the switch.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class CommuneLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
