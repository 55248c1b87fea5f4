"""SQLAlchemy 2 mapped classes."""

from .access import LoginFailures, WebSession  # noqa: F401  (sign-in tables)
from .base import Base, clock_shift, utcnow
from .documents import Document
from .history import HistoryEntry
from .messages import Message, ReminderLog
from .notifications import EmailToken, Notification
from .people import ApiToken, Company, User
from .policy import PolicyVersion
from .proposals import (
    CashFlow,
    FolioCounter,
    Guarantee,
    Locality,
    Proposal,
    Revision,
    Signature,
    SocialSite,
)

__all__ = [
    "ApiToken", "Base", "CashFlow", "Company", "Document", "EmailToken", "FolioCounter",
    "Guarantee", "HistoryEntry", "Locality", "Message", "Notification", "PolicyVersion",
    "Proposal", "ReminderLog", "Revision", "Signature", "SocialSite", "User", "clock_shift",
    "utcnow",
]
