"""Editors' text: the inline HTML we keep, and lengths counted as people count them."""

import re
from html import unescape

import nh3
import regex

INLINE_TAGS = {"em", "strong", "a"}
# C0 controls other than tab and newline, and the characters XML 1.0 cannot carry: they would
# break every feed that quotes the text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_GRAPHEME = regex.compile(r"\X")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_inline(html: str) -> str:
    """Keep emphasis, strong and http(s)/mailto links; strip every other tag and attribute."""
    return nh3.clean(
        strip_controls(html),
        tags=INLINE_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def plain_text(html: str) -> str:
    """The text of an inline fragment, tags removed and entities decoded, spaces collapsed."""
    return " ".join(unescape(nh3.clean(strip_controls(html), tags=set())).split())


def count_characters(text: str) -> int:
    """User-perceived characters (grapheme clusters): an emoji flag or 'é' counts as one."""
    return len(_GRAPHEME.findall(text))
