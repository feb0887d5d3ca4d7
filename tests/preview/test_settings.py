"""COLLOQUY_PREVIEW_URL is checked at start-up: a link that cannot reach a preview is refused."""

import pytest

from app.settings import ConfigurationError, Settings


@pytest.mark.parametrize(
    "template",
    [
        "https://site.example/preview",  # no {token}: every link would be the same
        "/preview/{token}",  # not absolute: a link in an email would go nowhere
        "ftp://site.example/{token}",
        "https:///preview/{token}",  # no host
    ],
)
def test_a_preview_url_that_cannot_carry_the_token_stops_the_service(template: str) -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_PREVIEW_URL"):
        Settings.from_env({"COLLOQUY_PREVIEW_URL": template})


def test_a_preview_url_with_the_token_anywhere_is_taken() -> None:
    template = "https://site.example/preview?token={token}"
    assert Settings.from_env({"COLLOQUY_PREVIEW_URL": template}).preview_url == template
    assert Settings.from_env({}).preview_url is None
