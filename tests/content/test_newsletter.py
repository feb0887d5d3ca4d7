"""The newsletter: an email-ready digest of the public interviews of a window."""

from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import asyncpg
import pytest

from app.demo import ANSWER
from tests.conftest import MovableClock
from tests.content import (
    BASE,
    CONTENT,
    Headers,
    World,
    add_quote,
    get_json,
    set_teaser,
    thursday_interview,
)
from tests.factories import IMAGE_SIZE, Client, Json, make_interview
from tests.helpers import problem, publish, schedule, withdraw

NEWSLETTER = f"{CONTENT}/newsletter"
SEED = "thursday-interview-murad-muradov"
QUOTE = "My negative expectations luckily didn’t play out."
HOSTILE = "Fish & \"chips\" <script>alert(1)</script> <b>bold</b> 'quoted'"


class Email(HTMLParser):
    """The parts of an HTML document that an email client cares about."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.texts: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def values(self, name: str) -> list[str]:
        return [value for _, attribute, value in self.attributes if attribute == name]


async def newsletter(client: Client, **params: Any) -> Json:
    return await get_json(client, NEWSLETTER, **params)


def titles(digest: Json) -> list[str]:
    return [item["title"] for item in digest["items"]]


async def test_the_seed_as_a_newsletter(client: Client, editor: Headers) -> None:
    interview = await thursday_interview(client, editor, teaser="The card teaser.")
    digest = await newsletter(client)
    assert digest["items"] == [
        {
            "slug": SEED,
            "kicker": "Thursday Interview",
            "headline": "Murad Muradov",
            "title": "Thursday Interview: Murad Muradov",
            "teaser": "The card teaser.",
            "pull_quote": {"text": QUOTE, "speaker": "Murad Muradov"},
            "image": None,
            "byline": "Conducted by Lauri Nikulainen",
            "published_at": "2026-11-26T09:00:00Z",
            "url": f"{BASE}/interviews/{SEED}",
        }
    ]
    assert digest["subject"] == "Colloquy: Thursday Interview: Murad Muradov"
    assert digest["preheader"] == "With Murad Muradov."
    assert (digest["since"], digest["until"]) == ("2026-11-19T09:00:00Z", "2026-11-26T09:00:00Z")
    await set_teaser(client, editor, interview, "For the readers of the letter.", "newsletter")
    digest = await newsletter(client)
    assert digest["items"][0]["teaser"] == "For the readers of the letter."
    email = Email(digest["html"])
    assert "For the readers of the letter." in email.texts
    assert f"“{QUOTE}” — Murad Muradov" in email.texts
    assert digest["text"] == (
        f"Colloquy\n{BASE}\n\n"
        "With Murad Muradov.\n\n"
        "THURSDAY INTERVIEW\n"
        "Thursday Interview: Murad Muradov\n"
        "Conducted by Lauri Nikulainen\n\n"
        "For the readers of the letter.\n\n"
        f"“{QUOTE}” — Murad Muradov\n\n"
        f"Read the interview in full: {BASE}/interviews/{SEED}\n\n"
        f"-- \nColloquy: {BASE}\n"
    )


async def test_teaser_falls_back_to_the_card_teaser_then_the_excerpt(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor)
    await set_teaser(client, editor, interview, "Front page only.", placement="frontpage")
    await set_teaser(client, editor, interview, "Social only.", placement="social")
    assert (await newsletter(client))["items"][0]["teaser"] == ANSWER
    await set_teaser(client, editor, interview, "The card teaser.")
    assert (await newsletter(client))["items"][0]["teaser"] == "The card teaser."


async def test_html_is_email_safe_and_escapes_every_text(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    image = {"url": "https://img.news.example/a.jpg?w=1&h=2", "alt": HOSTILE, **IMAGE_SIZE}
    hostile = await world.draft(HOSTILE, HOSTILE, "Zara Aliyeva", title=HOSTILE, image=image)
    await set_teaser(client, editor, hostile, f"{HOSTILE}\nSecond line", "newsletter")
    await add_quote(client, editor, hostile, HOSTILE, world.people_by_name[HOSTILE], featured=True)
    await publish(client, editor, hostile)
    clock.advance(minutes=5)
    await thursday_interview(client, editor)

    digest = await newsletter(client)
    document = digest["html"]
    email = Email(document)
    assert not {"script", "style", "link", "iframe", "form", "object"} & set(email.tags)
    assert "table" in email.tags
    assert not [name for _, name, _ in email.attributes if name.startswith("on")]
    links = email.values("href") + email.values("src")
    assert links, "it links to the interviews"
    assert all(link.startswith(("https://", "http://")) for link in links), links
    assert f"{BASE}/interviews/{hostile['slug']}" in email.values("href")
    assert image["url"] in email.values("src")
    assert HOSTILE in email.values("alt")
    # Every text is shown as typed, never as markup.
    assert sum(text == HOSTILE for text in email.texts) == 3  # title, kicker, teaser's line 1
    assert f"Conducted by {HOSTILE}" in email.texts
    assert "<br>Second line" in document, "the teaser's line break"
    assert f"“{HOSTILE}” — {HOSTILE}" in email.texts  # the pull quote
    assert "<script>" not in document and "<b>" not in document
    assert f"{HOSTILE}\nSecond line" not in document
    # Styles are inline, and nothing loads from elsewhere but the images.
    assert all("url(" not in style for style in email.values("style"))
    assert digest["subject"].startswith("Colloquy: Thursday Interview: Murad Muradov")


async def test_text_alternative_has_no_markup_and_every_link(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    first = await world.published("Weekend Talk", "Anna Host", "Zara Aliyeva", title=HOSTILE)
    clock.advance(hours=1)
    second = await world.published("Weekend Talk", "Anna Host", "Tigran Grigoryan")
    digest = await newsletter(client)
    text = digest["text"]
    assert HOSTILE in text, "plain text as typed"
    for interview in (first, second):
        assert f"Read the interview in full: {BASE}/interviews/{interview['slug']}" in text
    assert text.index(second["title"]) < text.index(HOSTILE), "newest first"
    assert digest["preheader"] == "With Tigran Grigoryan and Zara Aliyeva."
    assert digest["subject"] == "Colloquy: Weekend Talk: Tigran Grigoryan, and 1 more interview"


async def test_default_window_is_the_last_seven_days(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    await world.published("Weekend Talk", "Anna Host", "Old One")
    clock.advance(days=1)
    await world.published("Weekend Talk", "Anna Host", "Newer One")
    clock.advance(days=6, minutes=1)
    assert titles(await newsletter(client)) == ["Weekend Talk: Newer One"]
    clock.advance(days=1)
    empty = await newsletter(client)
    assert empty["items"] == []
    assert empty["subject"] == "Colloquy: no new interviews"
    assert "Nothing new" in empty["text"] and "Nothing new" in "".join(Email(empty["html"]).texts)


async def test_the_default_window_moves_with_the_clock_in_the_cache(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    """No write tells the cache that last week's interview has left the window."""
    world = World(client, editor)
    await world.published("Weekend Talk", "Anna Host", "Zara Aliyeva")
    assert len((await newsletter(client))["items"]) == 1
    clock.advance(days=7, minutes=2)
    assert (await newsletter(client))["items"] == []


async def test_since_and_until(client: Client, editor: Headers, clock: MovableClock) -> None:
    world = World(client, editor)
    await world.published("Weekend Talk", "Anna Host", "Day One")  # 2026-11-26 09:00
    clock.advance(days=10)
    await world.published("Weekend Talk", "Anna Host", "Day Eleven")  # 2026-12-06 09:00
    clock.advance(days=1)

    since = await newsletter(client, since="2026-11-26T09:00:00Z")
    assert titles(since) == ["Weekend Talk: Day Eleven", "Weekend Talk: Day One"]
    assert since["until"] == "2026-12-07T09:00:00Z", "up to now"
    assert titles(await newsletter(client, since="2026-11-26T09:00:01Z")) == [
        "Weekend Talk: Day Eleven"
    ]
    until = await newsletter(client, until="2026-12-06T09:00:00Z")
    assert titles(until) == [], "until is not in the window, and it is seven days long"
    assert until["since"] == "2026-11-29T09:00:00Z"
    assert titles(
        await newsletter(client, since="2026-11-26T10:00:00+01:00", until="2026-12-06T09:00:01Z")
    ) == ["Weekend Talk: Day Eleven", "Weekend Talk: Day One"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-11-26T09:00:00Z", "until": "2026-11-26T09:00:00Z"}, "until"),
        ({"since": "2026-11-27T09:00:00Z", "until": "2026-11-26T09:00:00Z"}, "until"),
        ({"since": "2026-10-26T08:59:59Z", "until": "2026-11-26T09:00:00Z"}, "since"),
        ({"since": "2026-10-01T00:00:00Z"}, "since"),
        ({"since": "2026-11-20T00:00:00"}, "since"),
        ({"until": "2026-11-20T00:00:00"}, "until"),
    ],
)
async def test_bad_windows_are_400(client: Client, params: dict[str, str], field: str) -> None:
    body = problem(await client.get(NEWSLETTER, params=params), 400)
    assert [error["field"] for error in body["errors"]] == [field]


async def test_a_window_of_31_days_is_allowed(client: Client) -> None:
    await newsletter(client, since="2026-10-26T09:00:00Z", until="2026-11-26T09:00:00Z")


@pytest.mark.parametrize("params", [{"series": "x" * 121}, {"since": "soon"}, {"page": "2"}])
async def test_bad_parameters_are_400(client: Client, params: dict[str, str]) -> None:
    problem(await client.get(NEWSLETTER, params=params), 400)


async def test_at_most_the_newest_50(
    client: Client, editor: Headers, clock: MovableClock, db: asyncpg.Connection
) -> None:
    world = World(client, editor)
    series = await world.series("Weekend Talk")
    host, guest = await world.person("Anna Host"), await world.person("Zara Aliyeva")
    for number in range(51):
        interview = await make_interview(client, editor, series, host, guest, title=f"N{number}")
        await publish(client, editor, interview)
        clock.advance(minutes=1)
    assert titles(await newsletter(client)) == [f"N{n}" for n in range(50, 0, -1)]


async def test_only_what_is_public(client: Client, editor: Headers, clock: MovableClock) -> None:
    world = World(client, editor)
    await world.published("Weekend Talk", "Anna Host", "Shown")
    await world.draft("Weekend Talk", "Anna Host", "A Draft")
    withdrawn = await world.published("Weekend Talk", "Anna Host", "Withdrawn")
    await withdraw(client, editor, withdrawn)
    await world.series("Unlisted Hour", visibility="unlisted")
    await world.published("Unlisted Hour", "Anna Host", "Unlisted")
    await world.series("Secret Hour", visibility="hidden")
    await world.published("Secret Hour", "Anna Host", "Hidden")
    later = await world.draft("Weekend Talk", "Anna Host", "Later")
    await schedule(client, editor, later, clock.now() + timedelta(hours=1))
    clock.advance(minutes=30)
    assert sorted(titles(await newsletter(client))) == [
        "Unlisted Hour: Unlisted",
        "Weekend Talk: Shown",
    ]
    problem(await client.get(NEWSLETTER, params={"series": "secret-hour"}), 404)
    problem(await client.get(NEWSLETTER, params={"series": "no-such-series"}), 404)
    clock.advance(hours=1)
    assert "Weekend Talk: Later" in titles(await newsletter(client))


async def test_one_series(client: Client, editor: Headers, clock: MovableClock) -> None:
    world = World(client, editor)
    await world.published("Weekend Talk", "Anna Host", "Zara Aliyeva")
    clock.advance(minutes=1)
    await world.series("Unlisted Hour", visibility="unlisted")
    await world.published("Unlisted Hour", "Anna Host", "Tigran G")
    for slug, title in (("weekend-talk", "Weekend Talk"), ("unlisted-hour", "Unlisted Hour")):
        digest = await newsletter(client, series=slug)
        assert [item["kicker"] for item in digest["items"]] == [title]
        assert digest["subject"].startswith(f"{title}: ")
        assert Email(digest["html"]).values("href")[0] == f"{BASE}/series/{slug}"
        assert digest["text"].startswith(f"{title}\n{BASE}/series/{slug}\n")
