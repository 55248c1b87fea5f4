"""How long one account waits after failed sign-ins: growing delays instead of a lockout."""

from __future__ import annotations

from dataclasses import dataclass

FORGET_AFTER_SECONDS = 24 * 3600   # a day without failures starts the count over


@dataclass(frozen=True)
class Backoff:
    """The first ``free`` failures in a row cost nothing; then 2, 4, 8... seconds, up to a cap."""

    free: int = 3
    max_seconds: int = 60

    def delay(self, failures: int) -> int:
        """Give the seconds to wait after this many failures in a row."""
        extra = failures - self.free
        if extra <= 0:
            return 0
        return min(self.max_seconds, 2 ** min(extra, 30))
