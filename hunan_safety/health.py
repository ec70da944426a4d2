"""Extra fields of /healthz that higher apps contribute (registered in their AppConfig.ready()).

A field reports a degraded but working part (e.g. a missing holiday schedule); it never turns the
answer into a 503, which is kept for a database that does not answer.
"""

from collections.abc import Callable

_checks: dict[str, Callable[[], str]] = {}


def register(name: str, check: Callable[[], str]) -> None:
    """Add `name` to /healthz, answered by `check()`: "ok" or a sentence saying what is wrong."""
    _checks[name] = check


def report() -> dict[str, str]:
    """Every registered field and its answer now."""
    return {name: check() for name, check in _checks.items()}
