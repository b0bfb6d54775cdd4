"""The deployment files: docker-compose.yml, Dockerfile, .env.example and the Makefile's
Python check. `docker compose config` runs only where a Docker daemon answers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from bot.settings import Settings, database_url
from tests.ops.helpers import ROOT


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def defaults(value: str) -> str:
    """``${NAME:-default}`` → default, as compose substitutes with an empty environment."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_compose_services_database_and_volume(compose):
    assert set(compose["services"]) == {"bot", "db"}
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert "pgdata" in compose["volumes"]
    assert "ports" not in db  # only the bot reaches it
    env = {k: defaults(v) for k, v in db["environment"].items()}
    assert env == {"POSTGRES_USER": "mle", "POSTGRES_PASSWORD": "mle", "POSTGRES_DB": "mle"}


def test_compose_bot_waits_for_the_database_and_checks_readiness(compose):
    bot = compose["services"]["bot"]
    assert bot["build"] == "."
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "healthcheck"]
    assert [defaults(p) for p in bot["ports"]] == ["3000:3000"]
    env = bot["environment"]
    assert env["SLACK_PORT"] == "3000" and env["HEALTH_PORT"] == "8080"
    # The URL compose hands the bot is one the settings accept, pointing at the db service.
    url = database_url(defaults(env["DATABASE_URL"]))
    assert url == "postgresql+asyncpg://mle:mle@db:5432/mle"
    assert bot["env_file"] == [{"path": ".env", "required": False}]


def test_dockerfile(tmp_path):
    text = (ROOT / "Dockerfile").read_text()
    [base] = re.findall(r"^FROM python:(\d+)\.(\d+)-slim", text, re.M)
    assert (int(base[0]), int(base[1])) >= (3, 11)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert "COPY content ./content" in text and "COPY pyproject.toml" in text
    assert re.search(r"^RUN pip install .*\.$", text, re.M)  # the pinned pyproject deps
    assert "HEALTHCHECK" in text and '"bot", "healthcheck"' in text
    assert 'CMD ["python", "-m", "bot", "run"]' in text
    assert "HEALTH_PORT=8080" in text
    # Every dependency the image installs is pinned.
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps and all("==" in d for d in deps)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored and ".git" in ignored
    assert "content" not in ignored and "bot" not in ignored


def test_env_example_lists_every_setting():
    text = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.M))
    settings = {f.alias for f in Settings.model_fields.values()}
    assert settings - listed == set()
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= listed
    # The uncommented lines load as they are (blank tokens mean "unset").
    active = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    Settings(**active)


def docker_or_skip() -> None:
    """Skip (with the reason) unless a Docker daemon answers; CI without Docker passes."""
    if not shutil.which("docker"):
        pytest.skip("docker is not installed here")
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.skip("no Docker daemon answers here")


def test_docker_compose_config_validates():
    docker_or_skip()
    result = subprocess.run(
        ["docker", "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_image_builds():
    docker_or_skip()
    result = subprocess.run(
        ["docker", "build", "--quiet", "--tag", "mle-study-bot:test", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    user = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", "mle-study-bot:test", "-u"],
        capture_output=True,
        text=True,
    )
    assert user.stdout.strip() not in ("", "0")


def test_makefile_names_an_old_python_before_pip(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    calls = tmp_path / "calls.log"
    fake = tmp_path / "python3.9"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        'if [ "$1" = "--version" ]; then echo "Python 3.9.18"; exit 0; fi\n'
        f'exec {sys.executable} -c "import sys; sys.exit(1)"\n'
    )
    fake.chmod(0o755)
    result = subprocess.run(
        ["make", "setup", f"PYTHON={fake}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode != 0
    assert "Python 3.11 or newer is needed" in result.stderr
    assert "Python 3.9.18" in result.stderr
    assert "No matching distribution" not in result.stderr + result.stdout
    assert not (tmp_path / ".venv").exists()  # neither venv nor pip ever ran
    assert all(not line.startswith("-m") for line in calls.read_text().splitlines())
