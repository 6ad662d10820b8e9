"""Configuration from environment variables; every variable is listed in README.md."""

import datetime as dt
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


def with_driver(url: str) -> str:
    """Heroku-style URLs name the old driver; psycopg 3 is the one we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'exitloop.sqlite3'}"
    return with_driver(url)


class Config:
    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        # Migrations run as the tables' owner; the application connects (DATABASE_URL) as a
        # role that owns nothing (README "Row-level security"). Unset: the same URL.
        self.MIGRATION_DATABASE_URI = with_driver(
            os.environ.get("MIGRATION_DATABASE_URL") or self.SQLALCHEMY_DATABASE_URI
        )
        self.EMBEDDED = self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.DEMO = _flag("DEMO", default=self.EMBEDDED)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Emailed links are built from the request's host: only these hosts are served
        # (others get a 400), so a forged Host header cannot point a reset link elsewhere.
        self.TRUSTED_HOSTS = [
            host.strip()
            for host in os.environ.get("TRUSTED_HOSTS", "127.0.0.1,localhost").split(",")
            if host.strip()
        ]
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
        # Server-side sessions (service/accounts/sessions.py): idle and absolute limits;
        # "keep me signed in" stretches the absolute limit and drops the idle one.
        self.SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
        self.SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
        self.SESSION_REMEMBER_DAYS = int(os.environ.get("SESSION_REMEMBER_DAYS", "14"))
        self.REMEMBER_COOKIE_DURATION = dt.timedelta(days=self.SESSION_REMEMBER_DAYS)
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # The second factor: how long the code step waits after a right password, and how
        # old the last proof of identity may be before a sensitive change asks again.
        self.SECOND_FACTOR_STEP_MINUTES = int(os.environ.get("SECOND_FACTOR_STEP_MINUTES", "5"))
        self.REAUTH_MINUTES = int(os.environ.get("REAUTH_MINUTES", "10"))
        self.INVITATION_TTL_HOURS = int(os.environ.get("INVITATION_TTL_HOURS", "168"))
        self.PASSWORD_RESET_TTL_MINUTES = int(os.environ.get("PASSWORD_RESET_TTL_MINUTES", "60"))
        # Flask-Limiter: Redis when there is one (limits hold across web processes).
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_KEY_PREFIX = "exitloop"
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: still limit, per process
        self.LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")
        self.LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
        self.LINK_LIMIT_PER_IP = os.environ.get("LINK_LIMIT_PER_IP", "20 per 15 minutes")
        # The leaver's survey page: failed link or cookie checks per address, and how long
        # the cookie that replaces the emailed token lives after the last page seen.
        self.SURVEY_LIMIT_PER_IP = os.environ.get("SURVEY_LIMIT_PER_IP", "20 per 15 minutes")
        self.SURVEY_COOKIE_MINUTES = int(os.environ.get("SURVEY_COOKIE_MINUTES", "120"))
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
        self.MAX_CONTENT_LENGTH = 5 * 1024 * 1024
        # Outgoing mail: Flask-Mail's variable names. No MAIL_SERVER: mail is kept, not sent.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _flag("MAIL_USE_SSL")
        self.MAIL_DEFAULT_SENDER = os.environ.get(
            "MAIL_DEFAULT_SENDER", "Exitloop <noreply@localhost>"
        )
        self.MAIL_TIMEOUT = 30  # seconds for the SMTP conversation
        self.MAIL_MAX_ATTEMPTS = 6  # then the row is marked failed for an operator
        self.MAIL_RETRY_DELAYS = (60, 300, 900, 3600, 4 * 3600)  # seconds after each failure
        self.MAIL_CLAIM_TIMEOUT = 600  # a row "sending" this long is reclaimed (possible duplicate)
        self.OUTBOX_SWEEP_SECONDS = 60  # the scheduler's slot for the outbox sweep
        self.SURVEY_SCAN_SECONDS = 300  # the scheduler's slot for the survey invitation scan
        # The scan for action reminder digests (each owner is written to once a day at most).
        self.ACTION_REMINDER_SECONDS = 3600
        # The scan for due leadership reports (each is keyed by tenant and period).
        self.REPORT_SCAN_SECONDS = 300
        # The audit trails' retention purge: daily. The platform's trail keeps entries this
        # many days (a tenant's keeps its own setting, tenants.audit_retention_days).
        self.AUDIT_RETENTION_SECONDS = 24 * 3600
        # The rest of a tenant's data past its retention (service/privacy/): daily.
        self.DATA_RETENTION_SECONDS = 24 * 3600
        self.PLATFORM_AUDIT_RETENTION_DAYS = int(
            os.environ.get("PLATFORM_AUDIT_RETENTION_DAYS", "730")
        )
        # The tenant's data (service/tenant_data): the scan that drops archives never
        # downloaded, reminds of and carries out tenant deletions (hourly: an archive lives
        # TENANT_EXPORT_KEEP_HOURS, a deletion is due at its own hour); the grace period
        # between a deletion request and the deletion; the largest export archive kept.
        self.TENANT_DATA_SCAN_SECONDS = 3600
        self.TENANT_EXPORT_KEEP_HOURS = int(os.environ.get("TENANT_EXPORT_KEEP_HOURS", "24"))
        self.TENANT_EXPORT_MAX_BYTES = int(
            os.environ.get("TENANT_EXPORT_MAX_BYTES", str(256 * 1024 * 1024))
        )
        self.TENANT_DELETION_GRACE_DAYS = int(os.environ.get("TENANT_DELETION_GRACE_DAYS", "30"))
        # The site's root for links in mail that a job writes with no request at hand (survey
        # invitations and reminders, action reminders).
        self.PUBLIC_URL = os.environ.get(
            "PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
        ).rstrip("/")


class TestConfig(Config):
    def __init__(self, database_url: str, migration_database_url: str | None = None) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.MIGRATION_DATABASE_URI = migration_database_url or database_url
        self.EMBEDDED = database_url.startswith("sqlite")
        self.DEMO = False
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False
        self.PASSWORD_HASH_COST = "cheap"  # noqa: S105 — a cost level, not a secret
        self.SECRET_KEY = "test-secret-key"  # noqa: S105
        # The limiter's own Redis database; a prefix per run keeps parallel runs apart.
        self.RATELIMIT_STORAGE_URI = os.environ.get("TEST_LIMITER_URL", "redis://127.0.0.1:6379/13")
        self.RATELIMIT_KEY_PREFIX = f"test-{secrets.token_hex(4)}"
