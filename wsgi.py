"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from promtel_fin import create_app

app = create_app()
