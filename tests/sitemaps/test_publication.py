"""The Google News sitemap names the publication as the settings do, escaped, in a language
code Google News takes."""

import pytest

from app.settings import Settings
from app.sitemaps.documents import news_language
from tests.factories import Client, Headers, Json, make_interview
from tests.helpers import publish
from tests.sitemaps import NS, sitemap


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A publication whose name needs escaping, in Traditional Chinese as written in Hong Kong."""
    return Settings(
        database_url=database_url,
        base_url="https://news.example",
        site_title="Q&A <Weekly>",
        site_language="zh-HK",
    )


async def test_the_publication_is_the_site_title_in_the_site_language(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    await publish(client, editor, await make_interview(client, editor, series, lauri, murad))
    news = await sitemap(client, "news.xml")
    publication = news.find("s:url/news:news/news:publication", NS)
    assert publication is not None
    assert publication.findtext("news:name", namespaces=NS) == "Q&A <Weekly>"
    assert publication.findtext("news:language", namespaces=NS) == "zh-tw"


@pytest.mark.parametrize(
    ("site_language", "code"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("pt_BR", "pt"),
        ("fil", "fil"),
        ("zh", "zh-cn"),
        ("zh-Hans-CN", "zh-cn"),
        ("zh-TW", "zh-tw"),
        ("zh-Hant", "zh-tw"),
    ],
)
def test_the_language_is_an_iso_639_code_or_google_news_own_chinese(
    site_language: str, code: str
) -> None:
    assert news_language(site_language) == code
