"""promtel_fin: the PROMTEL/FOCIR financing service for rural telecom SMEs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, database, i18n, API, error handlers and CLI.

    Raises ``config.ConfigError`` for settings it cannot run with (``wsgi.py`` says it in one line).
    """
    from config import Config, check_production, check_storage

    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"))
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    check_production(app.config)
    check_storage(app.config)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import api, bodies, cli, db, errors, headers, health, i18n, pdfs, security, storage, web

    bodies.init_app(app)
    db.init_app(app)
    storage.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    pdfs.init_app(app)
    return app
