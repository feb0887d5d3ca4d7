"""Normalising text, cleaning inline HTML, and the text of series and people through the API."""

from html import unescape

import nh3
import pytest

from app.slugs import is_slug, slugify
from app.text import clean_inline, is_blank, normalize_line, normalize_text, visible_text
from tests.factories import Client, make_person, make_series
from tests.helpers import unprocessable

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HEBREW = "שלום"
ARABIC = "عربي"


def test_normalize_text_keeps_text_and_drops_what_is_not_text() -> None:
    assert normalize_text("Cafe\u0301\r\nbar\rbaz\tqux") == "Café\nbar\nbaz\tqux"
    controls = "".join(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))
    controls = controls.replace("\r", "")  # a line end, kept as "\n"
    assert normalize_text(f"a{controls}b") == "ab"
    noncharacters = "\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0010fffe\U0010ffff"
    assert normalize_text(f"a{noncharacters}\ud800\udfffb") == "ab"
    prose = f" mixed \u2067{HEBREW}\u2069 {BIDI} "
    assert normalize_text(prose) == prose  # bidi controls and spaces have their place in prose
    assert normalize_text("&lt;b&gt; <b>") == "&lt;b&gt; <b>"


def test_normalize_line_also_drops_bidi_controls_and_outer_spaces() -> None:
    assert normalize_line(f"  \u202eevil{BIDI} name\u0001 ") == "evil name"
    assert normalize_line("Zu\u0308rich &amp; <i>") == "Zürich &amp; <i>"


@pytest.mark.parametrize(
    ("text", "blank"),
    [("", True), (" \n\t", True), ("\u200b\u202e\u2066", True), ("\u00ad", True), (".", False)],
)
def test_is_blank(text: str, blank: bool) -> None:
    assert is_blank(text) is blank


@pytest.mark.parametrize(
    ("html", "cleaned"),
    [
        ('<a href="//evil.example/x">x</a>', "x"),
        ('<a href="/a">x</a> <a href="a.html">y</a> <a href="#z">z</a>', "x y z"),
        ('<a href="javascript:alert(1)">x</a>', "x"),
        ('<a href=" https:evil">x</a>', "x"),
        ("<a>x <em>y</em></a>", "x <em>y</em>"),
        ('<a href="HTTPS://ok.example/p" title="t" onclick="f()">ok</a>',
         '<a href="HTTPS://ok.example/p" rel="noopener noreferrer">ok</a>'),
        ('<a href="mailto:a@b.example">m</a>',
         '<a href="mailto:a@b.example" rel="noopener noreferrer">m</a>'),
        ("<em lang='en'>e</em> &lt;img&gt; <img src=x>", "<em>e</em> &lt;img&gt;"),
    ],
)  # fmt: skip
def test_clean_inline_keeps_only_absolute_links(html: str, cleaned: str) -> None:
    assert clean_inline(html) == cleaned


def test_visible_text_decodes_entities_once() -> None:
    assert visible_text("a &amp;lt; b <em>c</em>\n &lt;img&gt;") == "a &lt; b c <img>"


@pytest.mark.parametrize(
    ("slug", "valid"),
    [
        ("thursday-interview", True),
        ("интервью-2", True),
        ("नमस्ते-दुनिया", True),
        ("café", True),
        ("Émile", False),
        ("a-\ufffe-b", False),
        ("\u202eevil", False),
        ("zero\u200bwidth", False),
        ("joined\u200dword", False),
        ("a--b", False),
        ("a_b", False),
    ],
)
def test_is_slug(slug: str, valid: bool) -> None:
    assert is_slug(slug) is valid


def test_slugify_makes_slugs_without_invisible_characters() -> None:
    assert slugify(f"Evil{BIDI} title\u200d with\u200b joiners") == "evil-title-with-joiners"
    assert is_slug(slugify(f"Ünterview mit \u2067{HEBREW}\u2069 — ガイド_1"))


# --- series and people, through the API --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/admin/v1/series", "title", "\u0001"),
        ("/admin/v1/series", "title", f" {BIDI} "),
        ("/admin/v1/series", "slug", "\u202eevil"),
        ("/admin/v1/series", "slug", "a-\ufffe-b"),
        ("/admin/v1/people", "name", "\u0000\u202e"),
        ("/admin/v1/people", "name", "\u200b"),
        ("/admin/v1/people", "slug", "evil\u2069"),
    ],
)
async def test_series_and_people_text_is_checked_once_normalised(
    client: Client, editor: dict[str, str], path: str, field: str, value: str
) -> None:
    required = {"/admin/v1/series": {"title": "T"}, "/admin/v1/people": {"name": "N"}}[path]
    created = await client.post(path, json={**required, field: value}, headers=editor)
    assert unprocessable(created) == [field]
    existing = (
        await make_series(client, editor)
        if path.endswith("series")
        else await make_person(client, editor, "Murad Muradov")
    )
    url = f"{path}/{existing['id']}"
    assert unprocessable(await client.patch(url, json={field: value}, headers=editor)) == [field]
    response = await client.get(url, headers=editor)
    assert response.json() == existing


async def test_person_text_is_stored_normalised(client: Client, editor: dict[str, str]) -> None:
    person = await make_person(
        client,
        editor,
        f"  Zo\u0308e{BIDI} O'Brien\u0007 ",
        headline="Host \u202eof\u202c <b>the</b> show",
        bio=f"Line\r\nnext \u2067{ARABIC}\u2069",
        links=[{"label": "\u202eSite", "url": "https://zoe.example/"}],
    )
    assert person["name"] == "Zöe O'Brien"
    assert person["slug"] == "zoe-o-brien"
    assert person["headline"] == "Host of <b>the</b> show"
    assert person["bio"] == f"Line\nnext \u2067{ARABIC}\u2069"
    assert person["links"][0]["label"] == "Site"


@pytest.mark.parametrize(
    "typed",
    [
        'see <a href="https://example.com/?q=a>b&c=d">this</a> & <em>that</em>',
        "a<b and c>d, 1 < 2 > 0",
        "<!-- a comment --><script>alert(1)</script>kept <b>bold</b>",
        "<strong>nested <em>marks</em></strong>&nbsp;&amp;lt; x",
        '<a href="javascript:alert(1)">no link</a> <img src=x onerror=y>',
        "<p>para</p><p>graph</p>",
    ],
)
def test_visible_text_of_sanitised_html_is_what_a_parser_sees(typed: str) -> None:
    """Stored text is clean_inline's; its tags are dropped by a pattern, which must see what an
    HTML parser sees."""
    stored = clean_inline(typed)
    parsed = " ".join(unescape(nh3.clean(stored, tags=set())).split())
    assert visible_text(stored) == parsed
