"""`ulak`: serve, worker, migrate, sandbox — the pieces one by one, for deployments."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(database_url: str) -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def run_migrations(database_url: str) -> None:
    """Bring the schema to the newest revision of every branch."""
    from alembic import command

    command.upgrade(alembic_config(database_url), "heads")  # type: ignore[arg-type]


def keep_hash_keys(database_url: str) -> None:
    """Store the suppression list's hash key now, while SECRET_KEY's first key is still the
    one its hashes were made with: after a later rotation they keep matching (an upgrade from
    a version without app_secret adopts that key). Skipped without SECRET_KEY or tables."""
    import sqlalchemy as sa

    from plugin import crypto
    from plugin.consent.queries import SUPPRESSION_HASH_PURPOSE
    from plugin.settings import get_settings

    if get_settings().secret_key is None:
        return
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            crypto.keep_hash_key(conn, purpose=SUPPRESSION_HASH_PURPOSE)
    except sa.exc.DBAPIError:
        return  # not migrated yet: the first erasure stores it
    finally:
        engine.dispose()


@click.group()
def main() -> None:
    """Ulak — consent-based WhatsApp messaging for Saleor."""


@main.command()
def migrate() -> None:
    """Apply database migrations (PostgreSQL or SQLite, from DATABASE_URL)."""
    from plugin.settings import get_settings

    run_migrations(get_settings().database_url)
    keep_hash_keys(get_settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--host", default=None, help="Bind address (default HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default PORT or 3000).")
@click.option("--workers", default=1, show_default=True, help="API processes (Redis mode only).")
@click.option("--migrate/--no-migrate", "do_migrate", default=False, help="Migrate first.")
def serve(host: str | None, port: int | None, workers: int, do_migrate: bool) -> None:
    """Serve the API (and, without REDIS_URL, the in-process workers)."""
    import uvicorn

    from plugin.settings import ConfigError, Settings, get_settings, set_settings

    # `--port`/`--host` mean what PORT/HOST mean, APP_URL included when it is unset.
    given: dict[str, Any] = {k: v for k, v in (("port", port), ("host", host)) if v}
    settings = set_settings(Settings(**given)) if given else get_settings()
    try:
        settings.check_production()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if do_migrate:
        run_migrations(settings.database_url)
    keep_hash_keys(settings.database_url)
    if workers > 1 and not settings.redis_url:
        raise click.ClickException("several API processes need REDIS_URL (a shared queue)")
    if settings.is_dev:
        click.echo(
            f"Ulak (dev): open {settings.app_url}/dev (the admin on a demo store) · "
            f"sandbox phone {settings.app_url}/sandbox/phone"
        )
    uvicorn.run(
        "plugin.app:serve_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


@main.command()
@click.option("--processes", "-p", default=1, show_default=True)
@click.option("--threads", "-t", default=8, show_default=True)
@click.option(
    "--queues",
    "-Q",
    multiple=True,
    help="Only these queues (default: all). `-Q delivery` and `-Q default` on separate "
    "workers keep a paced campaign's sends from holding the threads webhooks need.",
)
@click.option(
    "--nice",
    default=0,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower the workers' CPU priority by this much, so that an API process on the same "
    "machine answers webhooks first (docs/deploy.md).",
)
def worker(processes: int, threads: int, queues: tuple[str, ...], nice: int) -> None:
    """Run Dramatiq workers against REDIS_URL (with the scheduler tick)."""
    from plugin.settings import get_settings

    if not get_settings().redis_url:
        raise click.ClickException(
            "`ulak worker` needs REDIS_URL; without it `ulak serve` runs the workers"
        )
    from dramatiq.cli import main as dramatiq_main

    from plugin import malloc

    if nice:
        os.nice(nice)  # the forked worker processes inherit it
    malloc.fewer_arenas(get_settings().worker_malloc_arenas)

    sys.argv = ["ulak-worker", "handlers.worker", "-p", str(processes), "-t", str(threads)]
    if queues:
        sys.argv += ["--queues", *queues]
    raise SystemExit(dramatiq_main())  # type: ignore[no-untyped-call]  # dramatiq.cli is unannotated


# Every column that holds a secret encrypted with SECRET_KEY: (module, model, column).
ENCRYPTED_COLUMNS = [
    ("plugin.saleor.models", "Store", "app_token_encrypted"),
    ("plugin.whatsapp.accounts", "WhatsAppAccount", "access_token_encrypted"),
]


def rotate_keys() -> int:
    """Re-encrypt every stored secret with the first SECRET_KEY; returns how many were (not
    counting the internal keys in app_secret, which are re-encrypted too)."""
    import importlib

    from sqlmodel import Session, select

    from plugin import crypto
    from plugin.db import get_engine

    rotated = 0
    with Session(get_engine()) as session:
        for module, model_name, column in ENCRYPTED_COLUMNS:
            model = getattr(importlib.import_module(module), model_name)
            for row in session.exec(select(model)).all():
                value = getattr(row, column)
                if value:
                    setattr(row, column, crypto.rotate(value))
                    session.add(row)
                    rotated += 1
        for secret in session.exec(select(crypto.AppSecret)).all():
            secret.value_encrypted = crypto.rotate(secret.value_encrypted)
            session.add(secret)
        session.commit()
    return rotated


@main.command()
def demo() -> None:
    """Dev mode: create or refresh the demo store (Turkish and English customers, orders,
    consent history, a finished campaign with results, a running cart recovery) and print the
    URL of its admin page."""
    import httpx

    from plugin.settings import get_settings

    settings = get_settings()
    if not settings.is_dev:
        raise click.ClickException("`ulak demo` runs in dev mode only (ULAK_ENV=dev, as make run)")
    report: dict[str, Any] | None = None
    try:  # a running server holds the sandbox: it must serve the store's number and templates
        answer = httpx.post(f"{settings.app_url}/dev/demo", timeout=60)
        if answer.status_code == 200:
            report = answer.json()
    except httpx.HTTPError:
        report = None
    if report is None:
        report = _demo_here(settings)
    click.echo(
        f"demo store #{report['store_id']}: {report['contacts_added']} customers, "
        f"{report['orders_added']} orders, {report.get('campaigns_added', 0)} finished campaign "
        f"and {report.get('recoveries_added', 0)} running cart recovery added · "
        f"open {settings.app_url}/dev"
    )


def _demo_here(settings: Any) -> dict[str, Any]:
    """No server running: seed in this process, its sandbox being the one `make run` loads."""
    from dataclasses import asdict

    import handlers.actors  # noqa: F401 - the seed's follow-ups are queued by actor name
    from plugin.db import session_scope
    from plugin.events import sandbox_connect
    from plugin.events.demo import seed_demo
    from plugin.saleor.dev_dashboard import dev_path
    from plugin.whatsapp.sandbox.persist import PersistentSandbox

    run_migrations(settings.database_url)
    sandbox_connect.set_mounted(PersistentSandbox(state_file=dev_path(settings, ".sandbox.json")))
    try:
        with session_scope() as session:
            return asdict(seed_demo(session))
    finally:
        sandbox_connect.set_mounted(None)


@main.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt stored tokens with the first SECRET_KEY (then drop the old keys)."""
    from plugin.crypto import DecryptionError

    try:
        count = rotate_keys()
    except DecryptionError as exc:
        raise click.ClickException(f"{exc}: keep the old key in SECRET_KEY until done") from exc
    click.echo(f"re-encrypted {count} secrets with the first SECRET_KEY")


ADMIN_SDL = ROOT / "graphql" / "admin.graphql"


@main.command("export-schema")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), default=ADMIN_SDL, show_default=True
)
def export_schema(output: Path) -> None:
    """Write the admin API's SDL (graphql/admin.graphql; a test keeps it in sync)."""
    from plugin.admin_api.schema import sdl

    output.write_text(sdl(), encoding="utf-8")
    click.echo(f"wrote {output}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8090, show_default=True, type=int)
@click.option(
    "--webhook-url",
    default=None,
    help="Where status webhooks go (default APP_URL/api/webhooks/whatsapp; 'none' for nowhere).",
)
@click.option("--phone-number-id", default=None, help="Register one number at start.")
@click.option("--waba-id", default="sandbox-waba", show_default=True)
@click.option("--access-token", default="sandbox-token", show_default=True)
@click.option("--review-delay", default=1.0, show_default=True, type=float)
def sandbox(
    host: str,
    port: int,
    webhook_url: str | None,
    phone_number_id: str | None,
    waba_id: str,
    access_token: str,
    review_delay: float,
) -> None:
    """Run the sandbox WhatsApp (fake Graph API + phone page) as its own process."""
    from plugin.settings import get_settings
    from plugin.whatsapp.sandbox import SandboxConfig, SandboxNumber, run_sandbox

    settings = get_settings()
    secret = settings.whatsapp_app_secret
    if webhook_url is None:
        webhook_url = f"{settings.app_url}/api/webhooks/whatsapp"
    config = SandboxConfig(review_delay_seconds=review_delay)
    if phone_number_id:
        config.numbers.append(
            SandboxNumber(
                phone_number_id=phone_number_id,
                waba_id=waba_id,
                display_phone_number="+90 555 000 00 00",
                access_token=access_token,
                throughput_level="HIGH",
            )
        )
    click.echo(f"sandbox on http://{host}:{port}/sandbox/phone")
    run_sandbox(
        host=host,
        port=port,
        webhook_target_url=None if webhook_url == "none" else webhook_url,
        app_secret=secret.get_secret_value() if secret else "",
        config=config,
    )


if __name__ == "__main__":
    main()
