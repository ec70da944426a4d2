"""Under overload a process refuses at once with 503 and Retry-After, instead of queueing for seconds."""

import threading
import time

from django.http import HttpResponse
from django.test import RequestFactory

from hunan_safety.middleware import LoadSheddingMiddleware


def busy_process(settings, *, limit=1, wait_ms=0):
    settings.LOAD_SHED_MAX_IN_FLIGHT = limit
    settings.LOAD_SHED_WAIT_MS = wait_ms
    settings.LOAD_SHED_RETRY_AFTER_SECONDS = 5
    release, entered = threading.Event(), threading.Event()

    def slow_page(request):
        entered.set()
        release.wait(10)
        return HttpResponse("the page")

    middleware = LoadSheddingMiddleware(slow_page)
    holder = threading.Thread(target=middleware, args=(RequestFactory().get("/hazards/"),))
    holder.start()
    entered.wait(5)
    return middleware, release, holder


def test_a_request_beyond_the_limit_is_refused_at_once_with_retry_after(settings):
    middleware, release, holder = busy_process(settings)
    try:
        started = time.monotonic()
        response = middleware(RequestFactory().get("/hazards/"))
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert elapsed < 0.2
    # The slot is free again: the next request is served.
    assert middleware(RequestFactory().get("/hazards/")).status_code == 200


def test_a_request_waits_briefly_for_a_slot_before_being_refused(settings):
    middleware, release, holder = busy_process(settings, wait_ms=300)
    threading.Timer(0.1, release.set).start()
    try:
        response = middleware(RequestFactory().get("/hazards/"))
    finally:
        holder.join()
    assert response.status_code == 200  # a slot came free within the wait


def test_the_health_check_is_never_shed(settings):
    middleware, release, holder = busy_process(settings)
    try:
        response = middleware(RequestFactory().get("/healthz"))
    finally:
        release.set()
        holder.join()
    assert response.status_code == 200


def test_shedding_can_be_switched_off(settings):
    settings.LOAD_SHED_MAX_IN_FLIGHT = 0
    middleware = LoadSheddingMiddleware(lambda request: HttpResponse("ok"))
    assert middleware.slots is None
    assert middleware(RequestFactory().get("/")).status_code == 200
