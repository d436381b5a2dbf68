"""Settings, read once from the environment (prefix GRIDCASE_) at the edge and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from engine.bpmn.budget import ScriptLimits
from engine.connectors.base import ConnectorSettings
from engine.connectors.http import parse_allow_list
from engine.domain.notifications import NotifyPolicy, SmtpSettings
from engine.domain.working_time import HolidayCalendar, WorkingTime
from engine.persistence.db import SessionSettings, create_db_engine

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Everything configurable; see README for the variables."""

    database_url: str
    host: str = "127.0.0.1"
    port: int = 5000
    scheduler_interval: float = 0.5
    scheduler_lookahead: float = 5.0
    audit_checkpoint_seconds: float = 600.0  # how often the scheduler anchors every case's chain head
    log_level: str = "INFO"
    calendar_file: Path = ROOT / "config" / "calendar" / "china.json"
    secret_key: str | None = None  # signs sessions; None: a key kept in var/secret_key (one machine)
    attachments_dir: Path = ROOT / "var" / "attachments"
    max_upload_mb: float = 10.0
    workflows_dir: Path = ROOT / "workflows"  # task forms (forms/*.json) are read from here
    map_tile_url: str | None = None  # e.g. an intranet tile server https://tiles.example/{z}/{x}/{y}.png
    token_days: int = 90  # how long an API token lasts
    secure_cookies: bool | None = None  # session cookie Secure: None = when the request came over TLS
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto are believed
    log_format: str = "text"  # "json": one JSON object per line, with the request id (web/logging_setup.py)
    metrics_token: str | None = None  # bearer token that reads /metrics (web/metrics.py); admins may too
    metrics_dir: Path | None = None  # prometheus-client's multi-process files (gunicorn makes one when unset)
    scheduler_metrics_address: str | None = None  # host:port where `gridcase scheduler` serves /metrics
    sqlite_synchronous: str = "full"  # "normal": faster commits that a power loss may take back (README)
    sqlite_group_commit: bool = True  # concurrent commands of a process share one SQLite commit (README)
    pg_statement_timeout: float = 30.0  # seconds a server's statement may run (0: no limit)
    pg_idle_in_transaction_timeout: float = 60.0  # seconds a server's session may idle in a transaction
    worker_timeout: float = 60.0  # gunicorn restarts a worker silent this long (--timeout): above the statement's
    script_cpu_seconds: float = 1.0  # CPU time of one script, condition, timer expression or decision table
    script_memory_mb: int = 256  # memory one script may allocate (engine/bpmn/budget/)
    http_connector_hosts: frozenset[str] = frozenset()  # hosts the http connector may call (empty: none)
    # notifications (docs/notifications.md): GRIDCASE_NOTIFY_* (quiet hours, rate limits, attempts, lease) and
    # GRIDCASE_SMTP_* (where email goes); GRIDCASE_NOTIFY_SENDERS sends at once in the scheduler
    notify: NotifyPolicy = field(default_factory=NotifyPolicy)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    notify_senders: int = 4
    duplicate_radius_m: int = 100  # 立案: open cases of the same subtype this near are shown as possible duplicates
    duplicate_window_days: int = 7  # … reported within this many days before or after the report
    gps_retention_days: int = 90  # GPS positions are kept this long (PostgreSQL: whole daily partitions dropped)
    gps_max_batch: int = 5000  # positions in one POST /gps/positions at most

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read GRIDCASE_* variables; the default database is var/gridcase.db (SQLite)."""
        env = dict(os.environ if env is None else env)
        default_db = f"sqlite:///{ROOT / 'var' / 'gridcase.db'}"
        try:
            settings = cls(
                database_url=env.get("GRIDCASE_DATABASE_URL", default_db),
                host=env.get("GRIDCASE_HOST", "127.0.0.1"),
                port=int(env.get("GRIDCASE_PORT", "5000")),
                scheduler_interval=float(env.get("GRIDCASE_SCHEDULER_INTERVAL", "0.5")),
                scheduler_lookahead=float(env.get("GRIDCASE_SCHEDULER_LOOKAHEAD", "5")),
                audit_checkpoint_seconds=float(env.get("GRIDCASE_AUDIT_CHECKPOINT_SECONDS", "600")),
                log_level=env.get("GRIDCASE_LOG_LEVEL", "INFO"),
                calendar_file=Path(env.get("GRIDCASE_CALENDAR_FILE", str(ROOT / "config" / "calendar" / "china.json"))),
                secret_key=env.get("GRIDCASE_SECRET_KEY") or None,
                attachments_dir=Path(env.get("GRIDCASE_ATTACHMENTS_DIR", str(ROOT / "var" / "attachments"))),
                max_upload_mb=float(env.get("GRIDCASE_MAX_UPLOAD_MB", "10")),
                workflows_dir=Path(env.get("GRIDCASE_WORKFLOWS_DIR", str(ROOT / "workflows"))),
                map_tile_url=env.get("GRIDCASE_MAP_TILE_URL") or None,
                token_days=_bounded("GRIDCASE_TOKEN_DAYS", env.get("GRIDCASE_TOKEN_DAYS", "90"), 1, 3650),
                secure_cookies=_auto_flag("GRIDCASE_SECURE_COOKIES", env.get("GRIDCASE_SECURE_COOKIES", "auto")),
                trusted_proxies=_bounded("GRIDCASE_TRUSTED_PROXIES", env.get("GRIDCASE_TRUSTED_PROXIES", "0"), 0, 10),
                log_format=env.get("GRIDCASE_LOG_FORMAT", "text").strip().lower(),
                metrics_token=env.get("GRIDCASE_METRICS_TOKEN") or None,
                metrics_dir=Path(env["GRIDCASE_METRICS_DIR"]) if env.get("GRIDCASE_METRICS_DIR") else None,
                scheduler_metrics_address=env.get("GRIDCASE_SCHEDULER_METRICS_ADDRESS") or None,
                sqlite_synchronous=env.get("GRIDCASE_SQLITE_SYNCHRONOUS", "full").strip().lower(),
                sqlite_group_commit=_flag("GRIDCASE_SQLITE_GROUP_COMMIT",
                                          env.get("GRIDCASE_SQLITE_GROUP_COMMIT", "on")),
                pg_statement_timeout=float(env.get("GRIDCASE_PG_STATEMENT_TIMEOUT", "30")),
                pg_idle_in_transaction_timeout=float(env.get("GRIDCASE_PG_IDLE_IN_TRANSACTION_TIMEOUT", "60")),
                worker_timeout=float(env.get("GRIDCASE_WORKER_TIMEOUT", "60")),
                script_cpu_seconds=float(env.get("GRIDCASE_SCRIPT_CPU_SECONDS", "1")),
                script_memory_mb=int(env.get("GRIDCASE_SCRIPT_MEMORY_MB", "256")),
                http_connector_hosts=parse_allow_list(env.get("GRIDCASE_HTTP_CONNECTOR_HOSTS", "")),
                notify=NotifyPolicy.from_env(env),
                smtp=SmtpSettings.from_env(env),
                notify_senders=_bounded("GRIDCASE_NOTIFY_SENDERS", env.get("GRIDCASE_NOTIFY_SENDERS", "4"), 1, 64),
                duplicate_radius_m=_bounded_env(env, "GRIDCASE_DUPLICATE_RADIUS_M", "100", 1, 10000),
                duplicate_window_days=_bounded_env(env, "GRIDCASE_DUPLICATE_WINDOW_DAYS", "7", 1, 365),
                gps_retention_days=_bounded_env(env, "GRIDCASE_GPS_RETENTION_DAYS", "90", 1, 3650),
                gps_max_batch=_bounded_env(env, "GRIDCASE_GPS_MAX_BATCH", "5000", 1, 5000),
            )
            return settings.checked()
        except ValueError as exc:
            raise ValueError(f"invalid GRIDCASE_ setting: {exc}") from None

    def checked(self) -> Settings:
        """These settings, once what is only checked when used is checked now (ValueError naming the setting)."""
        self.script_limits()  # refuses a budget out of range now
        self.session_settings()  # refuses a bad synchronous level or timeout now, not at the first connection
        if not self.worker_timeout > 0:
            raise ValueError(f"GRIDCASE_WORKER_TIMEOUT must be a positive number of seconds, "
                             f"not {self.worker_timeout!r}")
        return self

    def session_settings(self) -> SessionSettings:
        """How the servers' database connections are set up: SQLite's synchronous level and group commit,
        PostgreSQL's timeouts."""
        return SessionSettings(self.sqlite_synchronous, self.pg_statement_timeout, self.pg_idle_in_transaction_timeout,
                               sqlite_group_commit=self.sqlite_group_commit)

    def database(self) -> Engine:
        """An engine over ``database_url`` whose connections are set up as ``session_settings`` says."""
        return create_db_engine(self.database_url, self.session_settings())

    def script_limits(self) -> ScriptLimits:
        """Every script's budget: GRIDCASE_SCRIPT_CPU_SECONDS of CPU time, GRIDCASE_SCRIPT_MEMORY_MB of memory."""
        return ScriptLimits.from_settings(self.script_cpu_seconds, self.script_memory_mb)

    def connector_settings(self) -> ConnectorSettings:
        """What the scheduler's built-in connectors read: the http connector's allow-list."""
        return ConnectorSettings(http_hosts=self.http_connector_hosts)

    def working_time(self) -> WorkingTime:
        """The city's working time: the official calendar table and the default duty windows."""
        return WorkingTime(HolidayCalendar.from_file(self.calendar_file))

    def session_key(self) -> str:
        """The key that signs sessions: GRIDCASE_SECRET_KEY, else one made once and kept in var/secret_key."""
        if self.secret_key:
            return self.secret_key
        path = ROOT / "var" / "secret_key"
        if not path.exists():
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), "utf-8")
            path.chmod(0o600)
        return path.read_text("utf-8").strip()

    def ensure_sqlite_dir(self) -> None:
        """Create the folder of a SQLite database file."""
        if self.database_url.startswith("sqlite:///"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _bounded(name: str, value: str, low: int, high: int) -> int:
    """An integer setting within [low, high] (ValueError naming the variable otherwise)."""
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be {low}–{high}, not {number}")
    return number


def _bounded_env(env: dict[str, str], name: str, default: str, low: int, high: int) -> int:
    """The integer setting ``name`` of ``env`` (``default`` when unset) within [low, high]."""
    return _bounded(name, env.get(name, default), low, high)


def _flag(name: str, value: str) -> bool:
    """on/true/1/yes or off/false/0/no."""
    choices = {"on": True, "true": True, "1": True, "yes": True, "off": False, "false": False, "0": False, "no": False}
    if value.strip().lower() not in choices:
        raise ValueError(f"{name} must be on or off, not {value!r}")
    return choices[value.strip().lower()]


def _auto_flag(name: str, value: str) -> bool | None:
    """auto (None), true/1/yes or false/0/no."""
    choices = {"auto": None, "true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if value.strip().lower() not in choices:
        raise ValueError(f"{name} must be auto, true or false, not {value!r}")
    return choices[value.strip().lower()]
