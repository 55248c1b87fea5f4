"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``.

Settings the app cannot run with are refused in one line on stderr, never a traceback: exit
status 1 for ``flask``; in a gunicorn worker, gunicorn's "app failed to load" status (4), so
that gunicorn stops instead of booting the worker again and again (``gunicorn.conf.py`` refuses
them earlier still, with status 1, before any worker starts).
"""

import sys

from config import ConfigError, refuse_to_start
from promtel_fin import create_app

GUNICORN_APP_LOAD_ERROR = 4

try:
    app = create_app()
except ConfigError as error:
    refuse_to_start(error, GUNICORN_APP_LOAD_ERROR if "gunicorn" in sys.modules else 1)
