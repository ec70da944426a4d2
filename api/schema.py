"""Every operation of the schema documents the API's errors: RFC 9457 problem details."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from api.errors import PROBLEM_CONTENT_TYPE, TITLES


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "405", "406", "415", "429"]
        if self.method == "POST":
            codes.append("409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ProblemSerializer, code, (PROBLEM_CONTENT_TYPE,), direction
                )
                responses[code]["description"] = TITLES[int(code)]
        return responses
