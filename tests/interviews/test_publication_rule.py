"""The publication rule is written once, in app/publication.py.

"Scheduled with its time come counts as published" used to be spelt out in eight places; a
change to it had to find them all. Every other module takes the rule's SQL from there.
"""

import re
from pathlib import Path

import app

APP = Path(app.__file__).parent
OWNER = APP / "publication.py"

# The rule's own text: the comparison of publish_at with now (a parameter), the effective status,
# and the publication time read through it.
RULE = re.compile(
    r"publish_at\s*<=?\s*\$\d|THEN\s+'published'|coalesce\(\s*(?:i\.)?published_at",
    re.IGNORECASE,
)


def test_the_rule_is_written_only_by_its_owner() -> None:
    assert RULE.search(OWNER.read_text())
    elsewhere = {
        str(path.relative_to(APP.parent)): RULE.findall(path.read_text())
        for path in sorted(APP.rglob("*.py"))
        if path != OWNER
    }
    assert {path: found for path, found in elsewhere.items() if found} == {}
