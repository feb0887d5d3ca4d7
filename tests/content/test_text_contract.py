"""What the Content API says is text and what is HTML, and JSON-LD safe inside a script tag."""

import json
from typing import Any

from tests.content import CONTENT, Headers, World, get_json, set_teaser
from tests.factories import Client, Json

QUOTED_HTML = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(1)</script>"


async def published(client: Client, editor: Headers, answer: str, **fields: Any) -> Json:
    world = World(client, editor)
    lauri = await world.person("Lauri Nikulainen")
    murad = await world.person("Murad Muradov")
    body = [{"type": "answer", "speaker_id": murad["id"], "text": answer}]
    return await world.published(
        "Thursday Interview", lauri["name"], murad["name"], body=body, **fields
    )


async def test_excerpt_of_quoted_html_is_the_text_a_reader_sees(
    client: Client, editor: Headers
) -> None:
    """The body `&lt;img ...&gt;` shows `<img ...>`: the card teaser, JSON-LD description and
    the page's excerpt carry those characters, as plain text that a frontend escapes."""
    interview = await published(client, editor, "He typed &lt;img src=x onerror=alert(1)&gt;.")
    page = await get_json(client, f"{CONTENT}/interviews/{interview['slug']}")
    assert page["card"]["teaser"] == f"He typed {QUOTED_HTML}."
    assert page["json_ld"]["description"] == f"He typed {QUOTED_HTML}."
    assert "He typed &lt;img src=x onerror=alert(1)&gt;." in page["html"]
    assert "<img" not in page["html"]


async def test_teaser_typed_with_entities_is_served_as_typed(
    client: Client, editor: Headers
) -> None:
    interview = await published(client, editor, "An answer.")
    await set_teaser(client, editor, interview, "&lt;script&gt; and <b>")
    card = await get_json(client, f"{CONTENT}/interviews/{interview['slug']}/card")
    assert card["teaser"] == "&lt;script&gt; and <b>"


async def test_json_ld_script_is_safe_inside_a_script_element(
    client: Client, editor: Headers
) -> None:
    title = f"{BREAKOUT} \u2028line\u2029 & <!-- -->"
    interview = await published(
        client, editor, f"Answer {BREAKOUT} &amp; more", title=title, tags=[BREAKOUT]
    )
    await set_teaser(client, editor, interview, f"Teaser {BREAKOUT}\u2028")
    page = await get_json(client, f"{CONTENT}/interviews/{interview['slug']}")
    assert page["json_ld"]["headline"] == title
    script = page["json_ld_script"]
    for character in "<>&\u2028\u2029":
        assert character not in script, character
    assert json.loads(script) == page["json_ld"]
    assert "\\u003c/script\\u003e" in script


async def test_openapi_says_which_fields_are_plain_text(client: Client) -> None:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200, response.text
    components = response.json()["components"]["schemas"]

    def description(schema: str, field: str) -> str:
        name = schema if schema in components else f"content_schemas_{schema}"
        found: str = components[name]["properties"][field].get("description", "")
        return found.lower()

    for schema, field in [
        ("Card", "teaser"),
        ("Card", "title"),
        ("Card", "headline"),
        ("Quote", "text"),
        ("PublicInterview", "title"),
        ("PublicInterview", "standfirst"),
        ("PublicInterview", "tags"),
        ("PublicInterview", "teasers"),
    ]:
        assert "plain text" in description(schema, field), (schema, field)
    assert "html" in description("PublicInterview", "html")
    assert "script" in description("PublicInterview", "json_ld")
    assert "script" in description("PublicInterview", "json_ld_script")
