"""Editors' text: normalised before it is checked, plain text kept apart from inline HTML.

Only body blocks are HTML (inline: emphasis, strong, links). Every other text field is plain
text, stored as typed once normalised: `&lt;` stays four characters and `<b>` stays three, and
each output that is HTML escapes it. Text derived from the body (excerpts, quote matching,
reading time) is the text a reader sees: tags removed, entities decoded once.
"""

import re
import unicodedata
from html import unescape
from urllib.parse import urlsplit

import nh3
import regex

INLINE_TAGS = {"em", "strong", "a"}
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}-{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
# C0 and C1 controls other than tab and newline, lone surrogates and noncharacters: XML cannot
# carry them (or discourages them), PostgreSQL cannot store NUL, and none of them is text.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
# Bidi embeddings, overrides and isolates. In prose they may order mixed-direction text; in a
# title, name, tag or slug they only make text read other than it is stored ("Trojan Source").
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_GRAPHEME = regex.compile(r"\X")
_TAG = re.compile(r"<[^>]*>")
# What nh3 writes for a link whose href it dropped (the only attribute left is the rel it adds).
_LINK_WITHOUT_HREF = re.compile(r'<a rel="noopener noreferrer">(.*?)</a>', re.DOTALL)


def strip_controls(text: str) -> str:
    """Newlines as `\\n`; without the controls and noncharacters that XML cannot carry."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalize_text(text: str) -> str:
    """Prose as stored: NFC (so equal text compares equal), plain newlines, no controls."""
    return unicodedata.normalize("NFC", strip_controls(text))


def normalize_line(text: str) -> str:
    """A title, name or tag as stored: prose rules, no bidi controls, no surrounding spaces."""
    return _BIDI.sub("", normalize_text(text)).strip()


def is_blank(text: str) -> bool:
    """Nothing a reader would see: only spaces and invisible formatting (ZWSP, bidi marks)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """Keep an href only if it is an absolute http(s) URL with a host, or a mailto: address.

    Relative and protocol-relative (`//host/x`) links would point wherever the page that shows
    the body lives, which differs between the site, feed readers and newsletters."""
    if attribute != "href":
        return value
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if (scheme in ("http", "https") and parts.netloc) or (scheme == "mailto" and parts.path):
        return value
    return None


def clean_inline(html: str) -> str:
    """Keep emphasis, strong and absolute http(s)/mailto links; strip every other tag and
    attribute. A link whose href is dropped is no link: its text is kept without the tag."""
    cleaned = nh3.clean(
        html,
        tags=INLINE_TAGS,
        attributes={"a": {"href"}, "*": set()},
        attribute_filter=_absolute_links_only,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return _LINK_WITHOUT_HREF.sub(r"\1", cleaned).strip()


def strip_tags(html: str) -> str:
    """Sanitised inline HTML (`clean_inline`'s, as every block is stored) without its tags, its
    entities kept. A pattern is enough, and a parser per block was a tenth of an edit's time:
    nh3 leaves no `<` but a tag's, and none of `>` inside one."""
    return _TAG.sub("", html)


def visible_text(html: str) -> str:
    """What a reader sees of sanitised inline HTML: tags removed, entities decoded once, spaces
    collapsed. Plain text: escape it again wherever it goes into HTML."""
    return " ".join(unescape(strip_tags(html)).split())


def count_characters(text: str) -> int:
    """User-perceived characters (grapheme clusters): an emoji flag or 'é' counts as one."""
    return len(_GRAPHEME.findall(text))
