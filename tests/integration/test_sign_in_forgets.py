"""A day without failures forgets them: the boundary of FORGET_AFTER_SECONDS, a minute either side.

Failed sign-ins grow the wait for one e-mail address; after a day with no new failure the count
starts over, both for the wait and for the next failure's count.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from promtel_fin.domain.throttle import FORGET_AFTER_SECONDS, Backoff
from promtel_fin.models import utcnow
from promtel_fin.models.access import LoginFailures
from promtel_fin.services import signin

EMAIL = "nadie@example.mx"
MINUTE = 60


def _failures_at(session: Session, failures: int, seconds_ago: int) -> None:
    session.add(LoginFailures(email_sha256=signin._key(EMAIL), failures=failures,
                              last_failure_at=utcnow() - timedelta(seconds=seconds_ago)))
    session.commit()


def test_a_day_is_twenty_four_hours() -> None:
    assert FORGET_AFTER_SECONDS == 24 * 3600


@pytest.mark.parametrize(("seconds_ago", "waits"), [
    (FORGET_AFTER_SECONDS - MINUTE, True), (FORGET_AFTER_SECONDS + MINUTE, False)])
def test_a_wait_longer_than_a_day_ends_when_the_day_does(session: Session, seconds_ago: int,
                                                         waits: bool) -> None:
    backoff = Backoff(free=3, max_seconds=10**6)     # 20 failures: 2**17 s, more than a day
    _failures_at(session, 20, seconds_ago)
    wait = signin.seconds_to_wait(session, EMAIL, backoff)
    assert (wait > 0) is waits
    if waits:
        assert wait == pytest.approx(2**17 - seconds_ago, abs=5)


@pytest.mark.parametrize(("seconds_ago", "count"), [
    (FORGET_AFTER_SECONDS - MINUTE, 11), (FORGET_AFTER_SECONDS + MINUTE, 1)])
def test_the_next_failure_counts_from_one_only_after_a_day(session: Session, seconds_ago: int,
                                                           count: int) -> None:
    _failures_at(session, 10, seconds_ago)
    assert signin.sign_in(session, EMAIL, "Cualquier-Cosa-123", Backoff()) is None
    session.expire_all()
    assert session.get(LoginFailures, signin._key(EMAIL)).failures == count
