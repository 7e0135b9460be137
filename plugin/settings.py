"""Every knob of Ulak, read from the environment in one place (DESIGN.md, "Environment")."""

from __future__ import annotations

import math
from collections import Counter
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_KEY = "ulak-dev-insecure-secret-key"
DEV_WHATSAPP_APP_SECRET = "ulak-sandbox-app-secret"
DEV_WHATSAPP_VERIFY_TOKEN = "ulak-sandbox-verify-token"
# SECRET_KEY's first key encrypts every stored token: production wants it long and random.
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_BITS = 96  # estimated from character frequencies (a 32-hex-char key: ~105)


class ConfigError(RuntimeError):
    """The environment does not describe a safe deployment."""


class Settings(BaseSettings):
    """Process-wide configuration; production refuses to start without its secrets."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    ulak_env: Literal["production", "dev", "test"] = "production"
    app_url: str = ""  # unset: http://127.0.0.1:<PORT> (see _dev_defaults)
    port: int = 3000
    host: str = "127.0.0.1"
    database_url: str = "sqlite:///./ulak.db"
    redis_url: str | None = None
    redis_namespace: str = "ulak"
    secret_key: SecretStr | None = None
    allowed_saleor_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    whatsapp_graph_url: str | None = None
    whatsapp_graph_version: str = "v23.0"
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    log_level: str = "INFO"
    log_json: bool = True
    # /metrics and /openapi.json: public in dev; in production only with this bearer token
    # (unset: not served at all). See docs/security.md.
    metrics_token: SecretStr | None = None
    # GraphQL introspection and "did you mean" suggestions: on in dev, off in production
    # unless set to true.
    graphql_introspection: bool | None = None

    app_id: str = "app.ulak.whatsapp"
    app_name: str = "Ulak"
    max_webhook_body_bytes: int = 1024 * 1024
    # In-process queue: worker threads inside `ulak serve` when REDIS_URL is unset.
    embedded_worker_threads: int = 4
    # glibc malloc arenas of an `ulak worker` process (0: glibc's default, eight per core): each
    # thread's arena keeps the high-water mark of its largest batch (plugin/malloc.py)
    worker_malloc_arenas: int = Field(default=2, ge=0)
    scheduler_interval_seconds: float = 1.0
    # A queue message silent this long is taken as lost (Redis restarted empty, a worker killed
    # before it claimed it): the tick re-enqueues its outbox rows, inbox events or campaign loop.
    # Also the Redis broker's heartbeat timeout: a worker process silent this long is dead.
    queue_lost_after_seconds: float = Field(default=30.0, gt=0)
    # Webhook deliveries recorded by one commit at most (the group commit, plugin/inbox/writer.py);
    # 1 records each alone, as the webhook benchmark's baseline does.
    inbox_group_commit_max: int = Field(default=200, ge=1)
    # Events one worker unit of work acts on at most: its store's earliest pending deliveries,
    # whichever group commit's message started it (plugin/inbox/take.py); 1 acts on each alone.
    # A lane is one unit at a time, so its rate is the batch's: bench_events at load 7 acted
    # on 373 events/s at 1.14 ms CPU each with 100, 533/s at 0.88 ms with 300, 571/s at 0.82 ms
    # with 500 (a batch's reads, locks and one composed write cost the same for more events).
    inbox_batch_most: int = Field(default=500, ge=1)
    jwks_refetch_min_interval_seconds: float = 30.0
    saleor_http_timeout_seconds: float = 10.0
    # Delivery: how long a send may wait for Meta's answer (then its outcome is unknown).
    whatsapp_send_timeout_seconds: float = 10.0
    # Rows of a consent CSV import committed together (its progress is readable between them).
    consent_import_chunk_rows: int = Field(default=500, ge=1)
    # Days a contact that hit Meta's per-user marketing limit (131049) is left out of marketing.
    marketing_limit_rest_days: int = 7
    # PostgreSQL time one admin request may spend evaluating an audience (segment counts and
    # previews, the contact list's filters), and a campaign estimate or launch count: past it
    # the request is refused as too costly instead of holding the database (issue 17.8).
    audience_query_budget_ms: int = Field(default=1800, ge=100)
    campaign_query_budget_ms: int = Field(default=15000, ge=100)

    @field_validator("allowed_saleor_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("app_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("redis_url", "whatsapp_graph_url", "metrics_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _dev_defaults(self) -> Settings:
        if not self.app_url:
            # `PORT=3101 make run` must hear its own status webhooks: APP_URL follows the port
            # (a wildcard bind address is reached over loopback).
            host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
            self.app_url = f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"
        if self.is_dev:
            if self.secret_key is None:
                self.secret_key = SecretStr(DEV_SECRET_KEY)
            if self.whatsapp_app_secret is None:
                self.whatsapp_app_secret = SecretStr(DEV_WHATSAPP_APP_SECRET)
            if self.whatsapp_verify_token is None:
                self.whatsapp_verify_token = SecretStr(DEV_WHATSAPP_VERIFY_TOKEN)
            if not self.allowed_saleor_urls:
                self.allowed_saleor_urls = ["*"]
            if self.whatsapp_graph_url is None:
                self.whatsapp_graph_url = f"{self.app_url}/sandbox/graph"
        elif self.whatsapp_graph_url is None:
            self.whatsapp_graph_url = "https://graph.facebook.com"
        return self

    @property
    def is_dev(self) -> bool:
        """Dev and test share the sandbox, the movable clock and the relaxed defaults."""
        return self.ulak_env in ("dev", "test")

    @property
    def sandbox_enabled(self) -> bool:
        return self.is_dev

    @property
    def introspection_enabled(self) -> bool:
        return self.is_dev if self.graphql_introspection is None else self.graphql_introspection

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_production(self) -> None:
        """Refuse to run a production process that would store secrets unprotected."""
        if self.is_dev:
            return
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.secret_key),
                ("WHATSAPP_APP_SECRET", self.whatsapp_app_secret),
                ("ALLOWED_SALEOR_URLS", self.allowed_saleor_urls or None),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                "production mode (ULAK_ENV unset or 'production') needs " + ", ".join(missing)
            )
        assert self.secret_key is not None
        weakness = secret_key_weakness(self.secret_key.get_secret_value())
        if weakness:
            raise ConfigError(
                f"SECRET_KEY is too weak for production: {weakness}. Generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )


def secret_key_weakness(secret_keys: str) -> str | None:
    """Why the encrypting (first) key is unfit for production, or None. Older keys after it
    only decrypt, so a weak one can still be rotated away from."""
    first = next((k.strip() for k in secret_keys.split(",") if k.strip()), "")
    if first == DEV_SECRET_KEY:
        return "it is the public development key"
    if len(first) < MIN_SECRET_KEY_LENGTH:
        return f"the first key has {len(first)} characters, at least {MIN_SECRET_KEY_LENGTH} needed"
    counts = Counter(first)
    per_char = abs(sum(n / len(first) * math.log2(n / len(first)) for n in counts.values()))
    if per_char * len(first) < MIN_SECRET_KEY_BITS:
        return (
            f"the first key carries about {per_char * len(first):.0f} bits of entropy, "
            f"at least {MIN_SECRET_KEY_BITS} needed (too many repeated characters)"
        )
    return None


_current: Settings | None = None


def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    global _current
    if _current is None:
        _current = Settings()
    return _current


def set_settings(settings: Settings) -> Settings:
    """Make these the process's settings (the app factory and tests)."""
    global _current
    _current = settings
    return settings
