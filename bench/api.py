"""The API's hazards list at a province's size, beside the HTML ledger list and a raw keyset floor (issue 17).

For provincial staff and the 长沙市 department head: the first page (50 rows), a deep page (the
page after the 10,000th row — by cursor for the API, page 200 of 50 for the HTML list) and a county.
Each through the whole stack (middleware, token authentication, filters, serializer, JSON) with
Django's test client. The floor is the same rule and filter as one SQL query of the page's rows
(`Hazard.objects.visible_to(user)… [:50]`, values only) in the same run. Target: API p95 under 100 ms.
"""

import statistics
import time

from bench._common import Measurement

NAME = "api"
ORDER = 12  # after pages, before the benchmarks that add rows
PERSONAS = {"province": "province", "city head": "head"}
PAGE = 50
DEEP_ROW = 10_000
FLOOR_FIELDS = ("id", "number", "title", "state", "level", "industry_id", "region_id", "found_on", "deadline")


def add_arguments(parser) -> None:
    parser.add_argument("--api-repeat", type=int, default=20, metavar="N", help="timed requests per case (20)")


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(call, repeat: int) -> list[float]:
    for _ in range(2):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _measurement(group: str, case: str, rows: int, samples: list[float], note: str = "") -> Measurement:
    p95 = _percentile(samples, 0.95)
    return Measurement(
        benchmark=NAME,
        case=case,
        rows=rows,
        seconds=p95 / 1000,
        peak_mb=0,
        note=note,
        group=group,
        p50_ms=statistics.median(samples),
        p95_ms=p95,
    )


def _get(client, url: str, **headers):
    def call():
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    return call


def run(options) -> list[Measurement]:
    from django.conf import settings
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User
    from api.pagination import encode
    from api.tokens import create_token
    from hazards.models import Hazard

    rows = Hazard.objects.count()
    measurements = []
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for persona, username in PERSONAS.items():
            user = User.objects.get(username=username)
            _row, token = create_token(user=user, name="bench")
            api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            html = Client()
            html.force_login(user)
            visible = Hazard.objects.visible_to(user).order_by("-found_on", "-id")
            deep = visible.values_list("found_on", "id")[DEEP_ROW : DEEP_ROW + 1].first()
            cursor = encode(*deep) if deep else ""
            cases = [
                ("first page", f"/api/v1/hazards/?page_size={PAGE}", f"/hazards/?per_page={PAGE}", visible),
                (
                    f"deep page (after row {DEEP_ROW:,})",
                    f"/api/v1/hazards/?page_size={PAGE}&cursor={cursor}",
                    f"/hazards/?per_page={PAGE}&page={DEEP_ROW // PAGE + 1}",
                    visible.filter(Q(found_on__lt=deep[0]) | Q(found_on=deep[0], id__lt=deep[1])) if deep else visible,
                ),
                (
                    "a county (浏阳市)",
                    f"/api/v1/hazards/?page_size={PAGE}&county=430181",
                    f"/hazards/?per_page={PAGE}&county=430181",
                    visible.filter(region_id="430181"),
                ),
            ]
            for case, api_url, html_url, floor_rows in cases:
                group = f"{persona} · {case}"
                floor = _timed(
                    lambda floor_rows=floor_rows: list(floor_rows.values_list(*FLOOR_FIELDS)[:PAGE]), options.api_repeat
                )
                measurements.append(_measurement(group, f"{group}: raw keyset query (floor)", rows, floor))
                measurements.append(
                    _measurement(group, f"{group}: API", rows, _timed(_get(api, api_url), options.api_repeat))
                )
                try:
                    samples = _timed(_get(html, html_url), options.api_repeat)
                except RuntimeError as error:
                    print(f"[bench] api · {group}: HTML list: {error}", flush=True)
                else:
                    measurements.append(_measurement(group, f"{group}: HTML ledger list", rows, samples))
                print(f"[bench] api · {group} done", flush=True)
    return measurements
