"""gunicorn's settings for ``gunicorn wsgi:app`` started from this directory.

Before gunicorn logs a line or starts a worker, the production settings are checked: a refusal
is one line on stderr and exit status 1, not workers failing to boot one after another. The check
reads ``config.py`` under another module name, so that the workers still read the environment
themselves (including what ``gunicorn -e`` adds after this file).
"""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("_promtel_startup_check",
                                               Path(__file__).resolve().with_name("config.py"))
assert _spec is not None and _spec.loader is not None
_config = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_config)
try:
    _config.check_production(_config.settings())
    _config.check_storage(_config.settings())
except _config.ConfigError as _error:
    _config.refuse_to_start(_error)
