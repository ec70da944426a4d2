"""Keep a web process's long-lived objects out of Python's full garbage collections.

After start-up and its first request, a worker holds some 140,000 objects that live as long as it
does (modules, URL patterns, compiled templates, translation catalogues). Every few hundred
requests a full collection walks them all: one request in a hundred took 30 ms more on a quiet
machine and up to 370 ms more on a loaded one (bench/pages.py names the GC time of the slowest
request). Frozen, they are never scanned; what requests create is still collected as before.
"""

import gc

from django.core.signals import request_finished

_frozen = False


def freeze_long_lived() -> None:
    """Move every object alive now to the collector's permanent generation (cheap; once is enough)."""
    global _frozen
    gc.collect()
    gc.freeze()
    _frozen = True


def _after_first_request(**kwargs) -> None:
    # What the first request loads lazily (templates, URL resolvers, catalogues) lives on too.
    if not _frozen:
        freeze_long_lived()


def freeze_after_first_request() -> None:
    """For a web process: freeze once its first request has loaded what every request uses."""
    request_finished.connect(_after_first_request, dispatch_uid="hunan_safety.collector")
