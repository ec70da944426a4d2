"""Contract tests: schemathesis drives every operation of the live schema with each persona's token.

No answer may be a 5xx, and every answer must match the schema (status, content type, body).
"""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from api.tokens import create_token
from tests.factories import HazardFactory, persona

pytestmark = [pytest.mark.django_db, pytest.mark.contract]

application = get_wsgi_application()
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)
schema.app = application
# Downloads answer with a file, not JSON: their 404s and 200s are covered by the scope tests.
PERSONAS = ("inspector", "head", "rectifier", "province")


@pytest.fixture
def tokens(reference_data):
    made = {}
    for name in PERSONAS:
        user = persona(name)
        made[name] = create_token(user=user, name="contract")[1]
    HazardFactory.create_batch(3)
    return made


@schema.parametrize()
@hypothesis_settings(
    max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
def test_every_operation_keeps_its_contract_for_every_persona(case, tokens):
    for token in tokens.values():
        response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
        # A schema-valid input may still be refused by the product's rules (a photo that is not a
        # photo, an action the state does not allow): that is a 400/409, documented, not a failure.
        case.validate_response(
            response,
            headers={"Authorization": f"Bearer {token}"},
            # Lenient on what it accepts (an unknown query parameter, a page size out of range is
            # clamped): the contract here is no 5xx and answers that match the schema.
            excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection],
        )
