import time

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Activate the language the user chose (the language cookie), else Simplified Chinese.

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: a provincial system
    speaks Chinese unless the user switches, whatever the machine it is opened on.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class IdleSessionMiddleware:
    """Keep a signed-in user's session alive while they work; let it lapse when they stop.

    The session store forgets a session SESSION_COOKIE_AGE seconds after it was last saved; saving
    on every request would cost a write per page, so the session is touched only when the last touch
    is more than SESSION_RENEW_SECONDS old: the idle timeout holds to within that.
    """

    KEY = "_last_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[self.KEY] = now
        return self.get_response(request)

    @classmethod
    def signed_in(cls, sender, request, user, **kwargs) -> None:
        """Receiver of user_logged_in."""
        if request is not None and hasattr(request, "session"):
            request.session[cls.KEY] = int(time.time())
