"""The API's input goes through the product's own forms: the same choices, checks and messages.

A JSON object (or a multipart body) becomes the form's data, under the form's prefix; lists stay
lists (several posts, several photos). Photos come as tokens of attachments uploaded first
(`POST /api/v1/attachments/`), which the forms already know how to claim (`<field>_kept`).
For the OpenAPI schema, `serializer_for` describes a form's fields as a DRF serializer.
"""

from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from api.errors import InvalidInput


def form_data(payload: Any, *, prefix: str = "", photo_fields: tuple[str, ...] = ()) -> MultiValueDict:
    """The request body as a form's data: every value a list, names prefixed, photos as kept tokens."""
    if not isinstance(payload, dict) and not hasattr(payload, "lists"):
        raise InvalidInput({"__all__": ["The body must be a JSON object."]})
    items = payload.lists() if hasattr(payload, "lists") else payload.items()
    data: MultiValueDict = MultiValueDict()
    for name, value in items:
        values = value if isinstance(value, list) else [value]
        key = f"{name}_kept" if name in photo_fields else name
        key = f"{prefix}-{key}" if prefix else key
        data.setlist(
            key,
            ["" if item is None else (str(item).lower() if isinstance(item, bool) else str(item)) for item in values],
        )
    return data


def initial_values(form: forms.BaseForm) -> dict[str, Any]:
    """What an unbound form would show: the model's defaults and the form's initial values."""
    values = {name: form.get_initial_for_field(field, name) for name, field in form.fields.items()}
    return {name: getattr(value, "pk", value) for name, value in values.items() if value not in (None, "", [])}


def form_errors(form: forms.BaseForm) -> InvalidInput:
    """A form's errors, by the API's field names (without the form's prefix)."""
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    return InvalidInput(errors)


def _field(field: forms.Field, *, optional: bool = False) -> serializers.Field:
    common = {"required": field.required and not optional, "help_text": str(field.help_text or field.label or "")}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.CharField(**common)
    if isinstance(field, forms.ChoiceField):
        options = list(field.choices)  # type: ignore[arg-type]
        return serializers.ChoiceField(choices=[(value, label) for value, label in options if value != ""], **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(max_digits=12, decimal_places=2, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.FileField):
        return serializers.ListField(
            child=serializers.UUIDField(), required=False, help_text="tokens of uploaded attachments"
        )
    return serializers.CharField(allow_blank=not field.required, **common)


def serializer_for(
    name: str, fields: dict[str, forms.Field], *, defaults: tuple[str, ...] = ()
) -> type[serializers.Serializer]:
    """A serializer class describing these form fields (for the schema; the form validates).

    `defaults`: fields the API fills with the form's initial value when they are left out.
    """
    attrs: dict[str, Any] = {
        field_name: _field(field, optional=field_name in defaults) for field_name, field in fields.items()
    }
    return type(name, (serializers.Serializer,), attrs)
