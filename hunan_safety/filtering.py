"""django-filter's FilterSet at a list page's price: the declarations copied cheaply, the form class built once.

On every request django-filter deep-copies each declared filter (with its choices and widgets) and
then builds a new form class from fresh fields, which Django's form deep-copies once more. A ledger
page with 40 filters spent more CPU on that than on its rows. The declarations are read-only, so a
shallow copy per request does, each method filter re-bound to the new set; and the form class is
the same for every request (choices that change, such as the regions, are callables evaluated when
the form uses them), so it is built once per FilterSet class.
"""

import copy
from typing import Any, ClassVar

import django_filters


class _ShallowFilters(dict):
    """What `copy.deepcopy(self.base_filters)` in FilterSet.__init__ gets: one shallow copy per filter."""

    def __deepcopy__(self, memo: dict) -> dict[str, Any]:
        copies = {}
        for name, declared in self.items():
            filter_ = copy.copy(declared)
            if filter_.method is not None:
                filter_.method = filter_.method  # a FilterMethod of this copy, not of the declaration
            copies[name] = filter_
        return copies


class QuickFilterSet(django_filters.FilterSet):
    _form_classes: ClassVar[dict[type, type]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        declared: dict[str, Any] = type(self).base_filters  # type: ignore[has-type]  # set by the metaclass
        self.base_filters = _ShallowFilters(declared)
        super().__init__(*args, **kwargs)

    def get_form_class(self) -> type:
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = super().get_form_class()
            self.prepare_form_class(form_class)
            self._form_classes[type(self)] = form_class
        return form_class

    @classmethod
    def prepare_form_class(cls, form_class: type) -> None:
        """Adjust the form class's fields (`form_class.base_fields`) once, e.g. their widgets."""
