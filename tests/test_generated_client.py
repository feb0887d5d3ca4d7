"""A client generated from the OpenAPI document with openapi-python-client builds without
warnings, has a model for every schema, and drives the seed's flow against `colloquy serve`:
create a series and two people, an interview with its participants and body, publish it, and
fetch its public card. The client is generated into a temporary directory, never kept."""

import importlib
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

import tests.test_schemathesis as served

pytestmark = pytest.mark.slow

# `colloquy serve` on a database of its own, with an admin token (as schemathesis has it).
service = served.service
PACKAGE = "colloquy_client"


@pytest.fixture(scope="module")
def generated(service: served.Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generator's output; the package is importable while the module's tests run."""
    where = tmp_path_factory.mktemp("client")
    document = httpx.get(f"{service.base_url}/docs/openapi.json", timeout=10)
    assert document.status_code == 200
    (where / "schema.json").write_text(document.text)
    # The generator reads no XML: the sitemaps (application/xml) come to the client as text,
    # as every user of it would configure.
    (where / "config.json").write_text(
        '{"content_type_overrides": {"application/xml": "text/xml"}}'
    )
    result = subprocess.run(
        [
            str(served.BIN / "openapi-python-client"),
            "generate",
            "--path",
            "schema.json",
            "--config",
            "config.json",
            "--output-path",
            "client",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=where,
        # Its formatting step runs ruff, which is in the venv's bin.
        env={"PATH": f"{served.BIN}:/usr/bin:/bin"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    sys.path.insert(0, str(where / "client"))
    try:
        yield output
    finally:
        sys.path.remove(str(where / "client"))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_client_builds_without_warnings(generated: str) -> None:
    assert "warning" not in generated.lower(), generated
    assert "error" not in generated.lower(), generated


def test_every_schema_became_a_model(generated: str, service: served.Service) -> None:
    schemas = httpx.get(f"{service.base_url}/docs/openapi.json").json()["components"]["schemas"]
    models = module("models")
    assert [name for name in schemas if not hasattr(models, name)] == []


def test_the_seed_flow_through_the_generated_client(
    generated: str, service: served.Service
) -> None:
    clients = module("client")
    secret = service.admin["Authorization"].removeprefix("Bearer ")
    with (
        clients.AuthenticatedClient(base_url=service.base_url, token=secret) as admin,
        clients.Client(base_url=service.base_url) as public,
    ):
        slug = create_and_publish(admin)
        card = call("content.get_interview_card", slug, client=public)
    assert isinstance(card, module("models").Card)
    assert card.title == "Thursday Interview: Murad Muradov"
    assert [person.name for person in card.interviewees] == ["Murad Muradov"]


def create_and_publish(admin: Any) -> str:
    """The seed's interview, published through the generated client; its slug."""
    m = module("models")
    cadence = m.Cadence(rrule="FREQ=WEEKLY;BYDAY=TH;BYHOUR=10", timezone="Europe/Brussels")
    series = call(
        "series.create_series",
        client=admin,
        body=m.SeriesCreate(
            title="Thursday Interview",
            cadence=cadence,
            visibility=m.SeriesCreateVisibility.PUBLIC,  # a new series starts hidden
        ),
    )
    lauri = call("people.create_person", client=admin, body=m.PersonCreate(name="Lauri Nikulainen"))
    murad = call("people.create_person", client=admin, body=m.PersonCreate(name="Murad Muradov"))
    draft = m.InterviewCreate(
        series_id=series.id,
        title="Thursday Interview: Murad Muradov",
        participants=[
            m.ParticipantIn(person_id=lauri.id, role=m.ParticipantInRole.INTERVIEWER),
            m.ParticipantIn(person_id=murad.id, role=m.ParticipantInRole.INTERVIEWEE),
        ],
        body=[
            m.Question(speaker_id=lauri.id, text="How was Yerevan?", type_="question"),
            m.Answer(speaker_id=murad.id, text="Largely positive.", type_="answer"),
        ],
    )
    interview = call("interviews.create_interview", client=admin, body=draft)
    # If-Match is a typed argument: a version the client did not see is refused.
    refused = module("api.interviews.publish_interview").sync_detailed(
        interview.id, client=admin, if_match=f'"v{interview.version - 1}"'
    )
    assert refused.status_code == 412
    assert isinstance(refused.parsed, m.Problem)
    published = call(
        "interviews.publish_interview",
        interview.id,
        client=admin,
        if_match=f'"v{interview.version}"',
    )
    assert published.status.value == "published"
    slug: str = published.slug
    return slug


def call(operation: str, *args: Any, **kwargs: Any) -> Any:
    """The parsed answer of a generated operation, which must be a success."""
    response = module(f"api.{operation}").sync_detailed(*args, **kwargs)
    assert response.status_code < 300, (operation, response.status_code, response.content)
    return response.parsed
