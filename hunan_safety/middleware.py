import threading
import time

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


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


class LoadSheddingMiddleware:
    """Refuse fast when this process is full: 503 with Retry-After instead of a ten-second queue.

    Each gunicorn process serves at most LOAD_SHED_MAX_IN_FLIGHT requests at once; a request that
    finds no free slot within LOAD_SHED_WAIT_MS is answered 503 at once (no database, no template),
    so that under overload people see "try again in a few seconds" and the queue never grows. With
    threaded workers (`gunicorn --threads`), the threads beyond the limit are what answer those 503s.
    /healthz is never shed: the container engine must not restart a busy, healthy server.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.LOAD_SHED_MAX_IN_FLIGHT
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit > 0 else None

    def __call__(self, request):
        if self.slots is None or request.path_info in settings.LOAD_SHED_EXEMPT_PATHS:
            return self.get_response(request)
        if not self.slots.acquire(timeout=settings.LOAD_SHED_WAIT_MS / 1000):
            return self.shed()
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    @staticmethod
    def shed() -> HttpResponse:
        response = HttpResponse(
            _("The service is busy. Please try again in a few seconds."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(settings.LOAD_SHED_RETRY_AFTER_SECONDS)
        # Not one ERROR line per refused request (django.request logs every 5xx): under overload
        # that would be thousands a second; gunicorn's access log still shows each 503.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
