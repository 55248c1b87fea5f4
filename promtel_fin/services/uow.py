"""One unit of work per use case: everything a service does commits together or not at all.

Services take the request's session, change what they must, write their history entries and
commit once. ``transactional`` guarantees the other half: when a service raises (a refused
rule, a lost race, the database going away), everything it did is rolled back before the
error leaves it, so no view has to clean up after a service, and a half-done change can never
be committed by a later one in the same request. (``audit reseal``, an operator's command that
runs DDL, is not a request's use case: its command rolls back itself.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def transactional(service: Callable[Concatenate[Session, P], R]) -> Callable[
        Concatenate[Session, P], R]:
    """Roll back everything ``service`` did when it raises, then let the error go on."""

    @wraps(service)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return run
