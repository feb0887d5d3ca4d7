"""Every `GET` example in the README answers what the README says, on the demo's content.

The README's own front-page example (`?sections=latest,editors-choice,popular,series`) was a
400 for months because nothing ran it. An example is a backticked `GET /path`; it is expected
to answer 200 unless the README says "answers NNN" right after it. Paths with placeholders
(`{slug}`, `<slug>`, `from=&`) are templates, not examples, and are left out. Admin paths are
asked with an admin token.
"""

import re
from pathlib import Path

import asyncpg
import pytest

from app.demo import load_demo
from tests.conftest import MovableClock
from tests.factories import Client, Headers

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"`GET (/[^`\s]*)`(?: answers (\d{3}))?")


def examples() -> list[tuple[str, int]]:
    found = {
        (path, int(status or 200))
        for path, status in EXAMPLE.findall(README.read_text())
        if not re.search(r"[{}<>]|=(&|$)", path)
    }
    return sorted(found)


def test_the_readme_has_examples() -> None:
    paths = [path for path, _ in examples()]
    assert (
        "/content/v1/frontpage?sections=latest,editors-choice,popular,series&size=6&series_sections=4"
        in paths
    )
    assert len(paths) >= 10


@pytest.mark.parametrize(("path", "status"), examples())
async def test_an_example_answers_as_the_readme_says(
    client: Client,
    admin: Headers,
    db: asyncpg.Connection,
    clock: MovableClock,
    path: str,
    status: int,
) -> None:
    await load_demo(db, clock.now())
    headers = admin if path.startswith("/admin/") else {}
    response = await client.get(path, headers=headers)
    assert response.status_code == status, response.text
