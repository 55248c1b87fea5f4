"""Production refuses settings it cannot run with: one line on stderr, exit status 1.

Each case starts the real entry points as an operator would, ``gunicorn wsgi:app`` (whose
``gunicorn.conf.py`` checks before any worker starts) and ``flask --app wsgi ...``, in a
subprocess; none may answer with a traceback. Nothing here needs a database: a refusal comes
before the first connection.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, check_production

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFIX = "promtel_fin: cannot start: "
GOOD = {
    "PROMTEL_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "AUDIT_KEY": secrets.token_urlsafe(48),
    # Never reached: the refusals come before any connection.
    "DATABASE_URL": "postgresql+psycopg://promtel@127.0.0.1:1/promtel",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
}
REFUSED = {
    "no SECRET_KEY": ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
    "weak SECRET_KEY": ({"SECRET_KEY": "corta"}, "SECRET_KEY must be set"),
    "development SECRET_KEY": ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY must be set"),
    "no AUDIT_KEY": ({"AUDIT_KEY": None}, "AUDIT_KEY must be set"),
    "weak AUDIT_KEY": ({"AUDIT_KEY": "x" * 31}, "AUDIT_KEY must be set"),
    "AUDIT_KEY equal to SECRET_KEY": ({"AUDIT_KEY": GOOD["SECRET_KEY"]},
                                      "AUDIT_KEY must differ from SECRET_KEY"),
    "no DATABASE_URL": ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
    "SQLite": ({"DATABASE_URL": "sqlite:////tmp/promtel.sqlite3"}, "not SQLite"),
    "per-process rate limits": ({"RATELIMIT_STORAGE_URI": "memory://"}, "not memory://"),
    "rate limits left to the default": ({"RATELIMIT_STORAGE_URI": None}, "not memory://"),
}


def environment(changes: dict[str, str | None]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in GOOD and not k.startswith(("FLASK_", "GUNICORN_"))}
    for name, value in {**GOOD, **changes}.items():
        if value is not None:
            env[name] = value
    return env


def run(command: list[str], changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    """Run a command from the repository's root; a start that is not refused times out."""
    return subprocess.run(command, cwd=ROOT, env=environment(changes), capture_output=True,
                          text=True, timeout=60, check=False)


GUNICORN = [str(BIN / "gunicorn"), "--workers", "2", "--bind", "127.0.0.1:0", "wsgi:app"]
FLASK_DB = [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"]


@pytest.mark.parametrize("command", [GUNICORN, FLASK_DB], ids=["gunicorn", "flask db upgrade"])
@pytest.mark.parametrize(("changes", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_production_refuses_in_one_line_and_exit_status_1(
        command: list[str], changes: dict[str, str | None], message: str) -> None:
    done = run(command, changes)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(PREFIX) and message in lines[0], lines[0]
    assert done.stdout == ""


def test_a_gunicorn_started_without_its_settings_file_stops_instead_of_rebooting_workers(
        tmp_path: Path) -> None:
    """Without gunicorn.conf.py the workers refuse, and gunicorn stops ("failed to load").

    gunicorn logs its own lines then (and, while halting, sometimes a traceback of its own);
    none comes from the app.
    """
    settings = tmp_path / "other.conf.py"
    settings.write_text("workers = 2\n", encoding="utf-8")
    done = run([*GUNICORN, "--config", str(settings)], {"SECRET_KEY": None})
    assert done.returncode != 0
    assert f"{PREFIX}SECRET_KEY must be set" in done.stderr
    assert not re.search(r'File ".*(wsgi\.py|config\.py|promtel_fin/)', done.stderr), done.stderr


def test_a_redis_store_without_the_redis_package_is_refused_in_one_line() -> None:
    """The README's recipe once failed on this: say which extra to install, in one line."""
    without_redis = ("import sys; sys.modules['redis'] = None; from flask.cli import main; "
                     "sys.argv = ['flask', '--app', 'wsgi', 'db', 'current']; main()")
    done = run([sys.executable, "-c", without_redis], {"PROMTEL_ENV": "development"})
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"{PREFIX}RATELIMIT_STORAGE_URI is Redis but the redis package is missing: "
        "pip install -e '.[production]'"]


def test_seed_demo_refuses_in_production() -> None:
    done = run([str(BIN / "flask"), "--app", "wsgi", "seed-demo"], {})
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: seed-demo refuses to run in production (PROMTEL_ENV=production): the demo "
        "users' passwords are published"]


def test_production_starts_with_every_setting_it_needs() -> None:
    check_production({k.removeprefix("PROMTEL_"): v for k, v in GOOD.items()})


@pytest.mark.parametrize(("changes", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_check_production_names_the_setting(
        monkeypatch: pytest.MonkeyPatch, changes: dict[str, str | None], message: str) -> None:
    settings = {k.removeprefix("PROMTEL_"): v for k, v in {**GOOD, **changes}.items()}
    if changes.get("DATABASE_URL", "") is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        from config import Config
        settings["DATABASE_URL"] = Config.DATABASE_URL
    with pytest.raises(ConfigError, match=message):
        check_production(settings)
