"""Schemathesis over the whole OpenAPI, against `colloquy serve` on a database of its own.

Two runs: one with made-up identifiers (every route's parsing and 404s), one pointed at a real
published interview, its series and people (the routes' real work). Each fails on a 5xx and on
any response that its operation's OpenAPI entry does not describe (status, media type, headers,
body schema). The seed is fixed so that CI is repeatable; COLLOQUY_FUZZ_SEED explores others.
"""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.auth import Role, issue_token
from app.clock import Clock
from app.db import migrate
from tests.test_cli import free_port

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
SEED = os.environ.get("COLLOQUY_FUZZ_SEED", "20261129")


class Service:
    def __init__(self, base_url: str, admin: dict[str, str]) -> None:
        self.base_url = base_url
        self.admin = admin

    def post(self, path: str, body: object, status: int = 201) -> dict[str, str]:
        response = httpx.post(f"{self.base_url}{path}", json=body, headers=self.admin, timeout=10)
        assert response.status_code == status, response.text
        created: dict[str, str] = response.json()
        return created

    def get(self, path: str) -> list[dict[str, str]]:
        response = httpx.get(f"{self.base_url}{path}", headers=self.admin, timeout=10)
        assert response.status_code == 200, response.text
        found: list[dict[str, str]] = response.json()
        return found


async def _sql(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _admin_token(url: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        _, secret = await issue_token(connection, "schemathesis", Role.admin, Clock().now())
    finally:
        await connection.close()
    return secret


@pytest.fixture(scope="module")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`colloquy serve` on a fresh database of the test cluster, with an admin token."""
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_sql(database_url, f"CREATE DATABASE {name}"))
    url = f"{database_url.rsplit('/', 1)[0]}/{name}"
    migrate(url)
    port = free_port()
    log = tmp_path_factory.mktemp("fuzz") / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "colloquy"), "serve"],
            env={
                **os.environ,
                "DATABASE_URL": url,
                "COLLOQUY_PORT": str(port),
                "COLLOQUY_WEBHOOK_ALLOW_PRIVATE": "true",  # a subscriber on loopback
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, server, log)
        yield Service(base_url, {"Authorization": f"Bearer {asyncio.run(_admin_token(url))}"})
    finally:
        server.terminate()
        server.wait(timeout=30)
        asyncio.run(_sql(database_url, f"DROP DATABASE {name} WITH (FORCE)"))


def _wait_ready(base_url: str, server: "subprocess.Popen[bytes]", log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"colloquy serve was not ready within 60 s:\n{log.read_text()}")


def seed(service: Service) -> dict[str, str]:
    """A published interview as the seed page has one, and its delivery to a subscriber that
    does not answer: their identifiers, by parameter name."""
    webhook = service.post(
        "/admin/v1/webhooks",
        {"url": f"http://127.0.0.1:{free_port()}/hook", "event_types": ["interview.published"]},
    )
    series = service.post(
        "/admin/v1/series",
        {
            "title": "Thursday Interview",
            "cadence": {"rrule": "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10", "timezone": "Europe/Brussels"},
            "visibility": "public",
        },
    )
    lauri = service.post("/admin/v1/people", {"name": "Lauri Nikulainen"})
    murad = service.post("/admin/v1/people", {"name": "Murad Muradov"})
    interview = service.post(
        "/admin/v1/interviews",
        {
            "series_id": series["id"],
            "title": "Thursday Interview: Murad Muradov",
            "participants": [
                {"person_id": lauri["id"], "role": "interviewer"},
                {"person_id": murad["id"], "role": "interviewee"},
            ],
            "body": [
                {"type": "question", "speaker_id": lauri["id"], "text": "How was Yerevan?"},
                {
                    "type": "answer",
                    "id": "yerevan",
                    "speaker_id": murad["id"],
                    "text": "My experience was <em>largely positive</em>.",
                },
            ],
        },
    )
    service.post(f"/admin/v1/interviews/{interview['id']}/publish", None, 200)
    return {
        "interview_id": interview["id"],
        "series_id": series["id"],
        "person_id": murad["id"],
        "slug": interview["slug"],
        "webhook_id": webhook["id"],
        "delivery_id": _first_delivery(service, webhook),
    }


def _first_delivery(service: Service, webhook: dict[str, str]) -> str:
    """The worker makes the delivery of the publication soon after it: wait for it."""
    deadline = time.monotonic() + 30
    while not (deliveries := service.get(f"/admin/v1/webhooks/{webhook['id']}/deliveries")):
        assert time.monotonic() < deadline, "no delivery within 30 s of the publication"
        time.sleep(0.1)
    return deliveries[0]["id"]


def schemathesis(service: Service, tmp_path: Path, max_examples: int, **parameters: str) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n" + "".join(f'{name} = "{value}"\n' for name, value in parameters.items())
    )
    result = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "--config-file",
            str(config),
            "run",
            f"{service.base_url}/docs/openapi.json",
            "--header",
            f"Authorization: {service.admin['Authorization']}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(max_examples),
            "--seed",
            SEED,
            # One worker: hypothesis parses lambdas' source with `ast`, which CPython 3.11 cannot
            # do from two threads at once ("AST constructor recursion depth mismatch").
            "--workers",
            "1",
            # Hypothesis' checks on how data is generated: slow on a loaded machine, and about
            # the generator, not the API.
            "--suppress-health-check",
            "all",
            "--request-timeout",
            "30",
            # Revoking the run's own token would leave every later request a 401.
            "--exclude-path-regex",
            "^/admin/v1/tokens/",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # where it keeps its cache
    )
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]


def test_made_up_identifiers(service: Service, tmp_path: Path) -> None:
    schemathesis(service, tmp_path, max_examples=15)


def test_a_real_interview(service: Service, tmp_path: Path) -> None:
    schemathesis(service, tmp_path, max_examples=25, **seed(service))
