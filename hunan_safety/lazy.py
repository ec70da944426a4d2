"""`LazyText`: the type of a string translated when it is rendered (`gettext_lazy`, `pgettext_lazy`).

At run time it is Django's `Promise`; to mypy it is django-stubs' lazy *string* type, which Django's
typed APIs (messages, form errors, `format_html`) accept where they take a `str`. The same alias as
django-stubs-ext's `StrPromise`, without making that package a run-time dependency.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyText
else:
    from django.utils.functional import Promise as LazyText

__all__ = ["LazyText"]
