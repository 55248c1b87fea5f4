"""What the browser tests share: the two screen sizes, and opening a page signed in."""

from __future__ import annotations

from typing import Any

from ..factories import PASSWORD

PHONE = {"width": 360, "height": 760}
DESKTOP = {"width": 1280, "height": 800}


def sign_in_here(page: Any, email: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form of the page open in ``page``."""
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main").get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()


def open_page(chromium: Any, base: str, user: Any | None = None, **context: Any) -> Any:
    """Open a page in a new browser context (``viewport``, ``java_script_enabled``...),
    signed in as ``user`` when one is given."""
    page = chromium.new_context(**context).new_page()
    if user is not None:
        page.goto(f"{base}/login")
        sign_in_here(page, user.email)
    return page
