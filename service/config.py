"""Configuration from environment variables; every variable is listed in README.md."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("EXITLOOP_INSTANCE", ROOT / "instance"))

LANGUAGES = ("nl", "fr", "en")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _embedded_secret_key() -> str:
    """A per-installation key kept in instance/, so a laptop needs no setup."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'exitloop.sqlite3'}"
    # Heroku-style URLs name the old driver; psycopg 3 is the one we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.EMBEDDED = self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.DEMO = _flag("DEMO", default=self.EMBEDDED)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Secure cookies unless the embedded default serves plain http on 127.0.0.1.
        self.SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES", default=not self.EMBEDDED)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "service" / "translations")
        self.PASSWORD_HASH_COST = os.environ.get("PASSWORD_HASH_COST", "standard")
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
        self.MAX_CONTENT_LENGTH = 5 * 1024 * 1024


class TestConfig(Config):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.EMBEDDED = database_url.startswith("sqlite")
        self.DEMO = False
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False
        self.PASSWORD_HASH_COST = "cheap"  # noqa: S105 — a cost level, not a secret
        self.SECRET_KEY = "test-secret-key"  # noqa: S105
