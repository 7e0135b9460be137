"""docs/deploy.md, docker-compose.yml and the Dockerfile agree with the code (Docker itself is
not run here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from plugin.cli import main
from plugin.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {name.upper() for name in Settings.model_fields}
ULAK_SERVICES = ("migrate", "api", "worker")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_environment_reference_is_exactly_the_settings():
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text.split("## Environment reference", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))
    assert documented == SETTINGS


def test_every_variable_the_compose_file_sets_for_ulak_is_a_setting():
    services = _compose()["services"]
    for name in ULAK_SERVICES:
        assert set(services[name]["environment"]) <= SETTINGS, name
    required = {"SECRET_KEY", "WHATSAPP_APP_SECRET", "ALLOWED_SALEOR_URLS", "DATABASE_URL"}
    assert required <= set(services["api"]["environment"])
    assert services["api"]["environment"]["ULAK_ENV"] == "production"


def test_every_compose_command_is_a_real_ulak_command_with_real_options():
    services = _compose()["services"]
    for name in ULAK_SERVICES:
        command = services[name]["command"]
        assert command[0] == "ulak"
        sub = main.commands[command[1]]
        options = {opt for param in sub.params for opt in param.opts}
        assert {arg for arg in command[2:] if arg.startswith("-")} <= options, name
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["migrate"]["restart"] == "no"
    assert services["redis"] and services["postgres"]


def test_the_dockerfile_builds_the_ui_installs_from_the_lock_and_runs_unprivileged():
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "npm ci" in text and "npm run build" in text
    assert "uv sync --frozen --no-dev" in text
    assert re.search(r"^USER ulak$", text, flags=re.M)
    assert 'CMD ["ulak", "serve"]' in text
    for path in re.findall(r"^COPY (?!--from)(\S+)", text, flags=re.M):
        assert (ROOT / path.rstrip("/")).exists(), path


def test_the_security_note_names_commands_and_variables_that_exist():
    text = (ROOT / "docs" / "security.md").read_text()
    for command in re.findall(r"`ulak ([a-z-]+)`", text):
        assert command in main.commands, command
    for variable in re.findall(r"`([A-Z][A-Z_]{3,})`", text):
        assert variable in SETTINGS, variable
