"""Every setting of Signaalroute in one place: its env var, type and default.

Settings come from environment variables prefixed ``SIGNAALROUTE_``. There is never a
fallback secret: a missing secret key is generated into ``instance/`` by ``make run``
(``signaalroute initialiseren``) or the process refuses to start.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "SIGNAALROUTE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_DIR = PROJECT_ROOT / "instance"
# NL Design System's example theme, copied from npm by `make assets`; a municipality sets its own.
DEFAULT_THEMA_CSS = PROJECT_ROOT / "webapp" / "static" / "vendor" / "thema" / "voorbeeld.css"
DEFAULT_THEMA_KLASSE = "voorbeeld-theme"
# A CSS class name (the theme's root selector); anything else would be a typo or an injection attempt.
_CSS_CLASS = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")


class ConfigurationError(RuntimeError):
    """A setting is missing or invalid; raised at start-up so nothing runs half-configured."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{PREFIX}{name} moet een geheel getal zijn, niet {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "ja", "on"}


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`, pass explicitly to what needs them."""

    instance_dir: Path
    database_url: str
    secret_key: str
    forms_dir: Path = PROJECT_ROOT / "forms"
    processes_dir: Path = PROJECT_ROOT / "processes"
    max_upload_bytes: int = 5 * 1024 * 1024
    # Files on a case (engine.cases.notes): their bytes live here, named by SHA-256; None = instance/bestanden.
    files_dir: Path | None = None
    max_file_bytes: int = 10 * 1024 * 1024
    script_time_limit_seconds: float = 1.0
    session_idle_minutes: int = 30
    secure_cookies: bool = False
    timer_poll_seconds: int = 1
    log_level: str = "INFO"
    # A request whose headers or body stop arriving is given up after this long (signaalroute.server).
    read_timeout_seconds: int = 30
    # Links in e-mails point here; mail never carries case content, only a link into the app.
    base_url: str = "http://127.0.0.1:8000"
    # No SMTP host: mail stays in the outbox (the dev default), the scheduler logs that and goes on.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = True
    smtp_from: str = "signaalroute@localhost"
    mail_max_attempts: int = 8
    # Retention periods per outcome, each with its source note (engine.retention.retention_rules explains the file).
    retention_file: Path = PROJECT_ROOT / "retention.toml"
    # Rate limits (engine.accounts.rate_limits): a token bucket per key, refilled evenly over a minute; 0 = off.
    login_per_minute_ip: int = 30
    login_per_minute_account: int = 10
    api_per_minute_token: int = 300
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (werkzeug ProxyFix).
    proxy_count: int = 0
    # OpenID Connect login (optional): on when an issuer (or discovery URL) and a client id are set.
    oidc_issuer: str | None = None
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_scopes: str = "openid profile email"
    oidc_name: str = "uw organisatie"
    oidc_username_claim: str = "preferred_username"
    # Seals over the audit chains (engine.audit.anchor): signed with a key outside the database, made this
    # often by the scheduler's leader, and exported as made to a file (append-only) or "syslog".
    seal_key_file: Path | None = None
    seal_public_key_file: Path | None = None
    seal_export: str | None = None
    seal_interval_minutes: int = 5
    # The look: an NL Design System tokens CSS file and the class that switches it on (webapp.thema serves it).
    thema_css: Path = DEFAULT_THEMA_CSS
    thema_klasse: str = DEFAULT_THEMA_KLASSE
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_client_id and (self.oidc_issuer or self.oidc_discovery_url))

    @property
    def oidc_metadata_url(self) -> str | None:
        """Keycloak and Entra ID both publish ``<issuer>/.well-known/openid-configuration``."""
        if self.oidc_discovery_url:
            return self.oidc_discovery_url
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
        return None

    @property
    def file_store_dir(self) -> Path:
        """Where case files are stored: ``SIGNAALROUTE_FILES_DIR``, else ``bestanden/`` in the instance directory."""
        return self.files_dir or self.instance_dir / "bestanden"

    @property
    def regions_dir(self) -> Path:
        """Region profiles live beside the models they configure: processes/regions/*.toml."""
        return self.processes_dir / "regions"


def secret_key_path(instance_dir: Path) -> Path:
    return instance_dir / "secret_key"


def ensure_secret_key(instance_dir: Path) -> Path:
    """Create ``instance/secret_key`` once with 64 random bytes (hex); never overwrite it."""
    path = secret_key_path(instance_dir)
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(64))
    return path


def _base_url() -> str:
    raw = (_env("BASE_URL") or "http://127.0.0.1:8000").strip().rstrip("/")
    if not raw.startswith(("http://", "https://")):
        raise ConfigurationError(f"{PREFIX}BASE_URL moet met http:// of https:// beginnen, niet {raw!r}")
    return raw


def load_settings(*, require_secret: bool = True) -> Settings:
    """Read the environment. Without a secret key (env or instance file) this fails fast."""
    instance_dir = Path(_env("INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)
    database_url = _env("DATABASE_URL") or f"sqlite:///{instance_dir / 'signaalroute.sqlite'}"
    secret = _env("SECRET_KEY")
    if not secret:
        path = secret_key_path(instance_dir)
        secret = path.read_text().strip() if path.exists() else ""
    if require_secret and len(secret) < 32:
        raise ConfigurationError(
            f"Geen geheime sleutel: zet {PREFIX}SECRET_KEY (minstens 32 tekens) of voer "
            "'signaalroute initialiseren' uit om instance/secret_key aan te maken."
        )
    if _env("SMTP_USER") and not _env("SMTP_PASSWORD"):
        raise ConfigurationError(f"{PREFIX}SMTP_USER is gezet maar {PREFIX}SMTP_PASSWORD niet.")
    base_url = _base_url()
    _check_oidc()
    thema_css, thema_klasse = _thema()
    return Settings(
        instance_dir=instance_dir,
        database_url=database_url,
        secret_key=secret,
        forms_dir=Path(_env("FORMS_DIR") or PROJECT_ROOT / "forms"),
        processes_dir=Path(_env("PROCESSES_DIR") or PROJECT_ROOT / "processes"),
        max_upload_bytes=_env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        files_dir=Path(files_dir) if (files_dir := _env("FILES_DIR")) else None,
        max_file_bytes=max(1, _env_int("MAX_FILE_BYTES", 10 * 1024 * 1024)),
        session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", 30),
        # Secure cookies wherever the app is served over HTTPS; plain http only for local development.
        secure_cookies=_env_bool("SECURE_COOKIES", base_url.startswith("https://")),
        timer_poll_seconds=_env_int("TIMER_POLL_SECONDS", 1),
        log_level=_env("LOG_LEVEL") or "INFO",
        read_timeout_seconds=max(1, _env_int("READ_TIMEOUT_SECONDS", 30)),
        base_url=base_url,
        smtp_host=_env("SMTP_HOST") or None,
        smtp_port=_env_int("SMTP_PORT", 587),
        smtp_user=_env("SMTP_USER") or None,
        smtp_password=_env("SMTP_PASSWORD") or None,
        smtp_starttls=_env_bool("SMTP_STARTTLS", True),
        smtp_from=_env("SMTP_FROM") or "signaalroute@localhost",
        mail_max_attempts=max(1, _env_int("MAIL_MAX_ATTEMPTS", 8)),
        retention_file=Path(_env("RETENTION_FILE") or PROJECT_ROOT / "retention.toml"),
        login_per_minute_ip=max(0, _env_int("LOGIN_RATE_IP", 30)),
        login_per_minute_account=max(0, _env_int("LOGIN_RATE_ACCOUNT", 10)),
        api_per_minute_token=max(0, _env_int("API_RATE", 300)),
        proxy_count=max(0, _env_int("PROXY_COUNT", 0)),
        oidc_issuer=_env("OIDC_ISSUER") or None,
        oidc_discovery_url=_env("OIDC_DISCOVERY_URL") or None,
        oidc_client_id=_env("OIDC_CLIENT_ID") or None,
        oidc_client_secret=_env("OIDC_CLIENT_SECRET") or None,
        oidc_scopes=_env("OIDC_SCOPES") or "openid profile email",
        oidc_name=_env("OIDC_NAME") or "uw organisatie",
        oidc_username_claim=_env("OIDC_USERNAME_CLAIM") or "preferred_username",
        seal_key_file=_optional_path("ZEGEL_SLEUTEL"),
        seal_public_key_file=_optional_path("ZEGEL_PUBLIEKE_SLEUTEL"),
        seal_export=_env("ZEGEL_EXPORT") or None,
        seal_interval_minutes=max(1, _env_int("ZEGEL_INTERVAL_MINUTEN", 5)),
        thema_css=thema_css,
        thema_klasse=thema_klasse,
    )


def _optional_path(name: str) -> Path | None:
    raw = _env(name)
    return Path(raw) if raw else None


def _thema() -> tuple[Path, str]:
    """A municipality's own tokens file and theme class; both or neither, so a half theme never starts."""
    css, klasse = _env("THEMA_CSS") or "", (_env("THEMA_KLASSE") or "").strip()
    if not css and not klasse:
        return DEFAULT_THEMA_CSS, DEFAULT_THEMA_KLASSE
    if not css or not klasse:
        raise ConfigurationError(f"Voor een eigen thema zijn {PREFIX}THEMA_CSS en {PREFIX}THEMA_KLASSE allebei nodig.")
    path = Path(css)
    if path.suffix != ".css" or not path.is_file():
        raise ConfigurationError(f"{PREFIX}THEMA_CSS moet een bestaand .css-bestand zijn, niet {css!r}")
    if not _CSS_CLASS.fullmatch(klasse):
        raise ConfigurationError(f"{PREFIX}THEMA_KLASSE moet een CSS-klassenaam zijn (bv. 'gemeente-theme'), "
                                 f"niet {klasse!r}")
    return path.resolve(), klasse


def _check_oidc() -> None:
    """Half an OIDC configuration is a mistake, never a silent fallback to passwords only."""
    if not (_env("OIDC_CLIENT_ID") or _env("OIDC_ISSUER") or _env("OIDC_DISCOVERY_URL")):
        return
    if not _env("OIDC_CLIENT_ID") or not (_env("OIDC_ISSUER") or _env("OIDC_DISCOVERY_URL")):
        raise ConfigurationError(f"Voor inloggen via OIDC zijn {PREFIX}OIDC_ISSUER (of {PREFIX}OIDC_DISCOVERY_URL) "
                                 f"en {PREFIX}OIDC_CLIENT_ID allebei nodig.")
    if not _env("OIDC_CLIENT_SECRET"):
        raise ConfigurationError(f"{PREFIX}OIDC_CLIENT_ID is gezet maar {PREFIX}OIDC_CLIENT_SECRET niet.")
    if "openid" not in (_env("OIDC_SCOPES") or "openid").split():
        raise ConfigurationError(f"{PREFIX}OIDC_SCOPES moet 'openid' bevatten.")
    for name in ("OIDC_ISSUER", "OIDC_DISCOVERY_URL"):
        value = _env(name)
        if value and not value.startswith("https://"):
            raise ConfigurationError(f"{PREFIX}{name} moet met https:// beginnen, niet {value!r}")
