"""E-mail: writing a notification as a message (plain text and HTML) and sending it over SMTP.

Only the delivery worker (``services.delivery``) calls this; the web process never sends mail.
Each message is written in its recipient's language (``User.language``, Spanish by default) and
keeps the ``Message-ID`` chosen when the notification was written, across every retry.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from .domain.texts import render
from .models import Notification, User, utcnow

PREFERENCES_PATH = "/account/notifications"


def compose(notification: Notification, user: User, link: str | None) -> EmailMessage:
    """Write a notification as an e-mail to ``user`` in the user's language."""
    config = current_app.config
    language = user.language if user.language in config["LANGUAGES"] else "es"
    public = config["PUBLIC_URL"]
    with force_locale(language):
        subject = render(notification.subject, gettext)
        body = render(notification.body, gettext)
        values = {"subject": subject, "body": body, "language": language,
                  "url": f"{public}{link}" if link else None,
                  "preferences": f"{public}{PREFERENCES_PATH}",
                  "needs_action": notification.needs_action}
        text = render_template("email/notification.txt", **values)
        html = render_template("email/notification.html", **values)
    message = EmailMessage()
    message["Subject"] = subject.replace("\n", " ")
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = user.email
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = notification.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language   # after the parts: set_content drops Content-*
    return message


def send(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Send one message with the MAIL_* settings; SMTP and network errors propagate."""
    timeout = config.get("MAIL_TIMEOUT_SECONDS", 30)
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    smtp: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
