"""The newsletter: the public interviews of a window as an email's subject, preheader, HTML and
plain text, for the newsroom's mailing tool to send.

Email clients drop `<style>` and external CSS, run no script and resolve no relative URL, and
many lay out only tables: so the HTML is nested tables with inline styles, every link and image
absolute (the site's URLs and the images' own http(s) URLs), images with width and alt. Every
text is plain text and is escaped here, once, as it goes into the HTML.
"""

from datetime import datetime, timedelta
from html import escape

from app.content.cards import CALL_TO_ACTION, byline, featured_quote, headline, teaser
from app.content.queries import PublicRow
from app.content.schemas import Newsletter, NewsletterItem, Quote
from app.errors import ProblemError
from app.site import Site

DAYS = 7  # the window when none is given: the last week
MOST_DAYS = 31  # the longest window: a monthly newsletter
MOST_ITEMS = 50  # the newest of the window, if it has more
MOST_NAMED = 3  # interviewees the preheader names before "and N more"
WIDTH = 600  # px: the column that email clients show whole
PADDING = 24
INNER = WIDTH - 2 * PADDING

PAGE = "#f3f3f1"
INK = "#1a1a1a"
MUTED = "#5c5c5c"
ACCENT = "#8a1c1c"
SERIF = "Georgia,'Times New Roman',serif"
SANS = "Helvetica,Arial,sans-serif"
TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"'


def window(
    now: datetime, since: datetime | None, until: datetime | None
) -> tuple[datetime, datetime]:
    """[since, until) as asked: up to now from `since`, or the DAYS days before `until`; by
    default the last DAYS days. At most MOST_DAYS long, so that one answer stays an email."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise ProblemError(400, f"{name} needs a time zone, e.g. Z or +01:00", field=name)
    end = until or now
    start = since or end - timedelta(days=DAYS)
    if start >= end:
        raise ProblemError(400, "since must come before until", field="until")
    if end - start > timedelta(days=MOST_DAYS):
        raise ProblemError(400, f"the window is at most {MOST_DAYS} days long", field="since")
    return start, end


def newsletter_item(row: PublicRow, site: Site) -> NewsletterItem:
    return NewsletterItem(
        slug=row.slug,
        kicker=row.series_title,
        headline=headline(row),
        title=row.title,
        teaser=teaser(row, "newsletter"),
        pull_quote=featured_quote(row),
        image=row.image,
        byline=byline(row),
        published_at=row.published_at,
        url=site.interview(row.slug),
    )


def subject(heading: str, items: list[NewsletterItem]) -> str:
    """'Thursday Interview: <the newest title>, and 2 more interviews'."""
    if not items:
        return f"{heading}: no new interviews"
    more = len(items) - 1
    rest = f", and {more} more interview{'s' if more > 1 else ''}" if more else ""
    return f"{heading}: {items[0].title}{rest}"


def preheader(items: list[NewsletterItem]) -> str:
    """Who is interviewed: what an inbox shows under the subject."""
    if not items:
        return "Nothing new was published this time."
    named = [item.headline for item in items[:MOST_NAMED]]
    if len(items) > MOST_NAMED:
        named.append(f"{len(items) - MOST_NAMED} more")
    listed = f"{', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else named[0]
    return f"With {listed}."


def digest(
    rows: list[PublicRow],
    site: Site,
    heading: str,
    home: str,
    since: datetime,
    until: datetime,
) -> Newsletter:
    """The newsletter of `rows`, newest first, under `heading` (the site's title or the
    series'), which links to `home`."""
    items = [newsletter_item(row, site) for row in rows]
    title = subject(heading, items)
    first_line = preheader(items)
    return Newsletter(
        subject=title,
        preheader=first_line,
        html=html(title, first_line, heading, home, items, site),
        text=text(first_line, heading, home, items, site),
        since=since,
        until=until,
        items=items,
    )


def _quoted(quote: Quote) -> str:
    return f"“{quote.text}” — {quote.speaker}" if quote.speaker else f"“{quote.text}”"


def _lines(text: str) -> str:
    """Plain text as HTML: escaped, its line breaks kept."""
    return escape(text).replace("\n", "<br>")


def _link(url: str, label: str, style: str) -> str:
    return f'<a href="{escape(url)}" style="{style}">{label}</a>'


def _item_html(item: NewsletterItem) -> str:
    parts = []
    if item.image:
        image = (
            f'<img src="{escape(item.image.url)}" alt="{escape(item.image.alt)}" width="{INNER}" '
            f'style="display:block;width:100%;max-width:{INNER}px;height:auto;border:0;">'
        )
        parts.append(_link(item.url, image, "text-decoration:none;"))
    parts += [
        f'<p style="margin:16px 0 4px;font-family:{SANS};font-size:12px;letter-spacing:1px;'
        f'text-transform:uppercase;color:{ACCENT};">{escape(item.kicker)}</p>',
        f'<h2 style="margin:0 0 6px;font-family:{SERIF};font-size:22px;line-height:1.3;">'
        f"{_link(item.url, escape(item.title), f'color:{INK};text-decoration:none;')}</h2>",
    ]
    if item.byline:
        parts.append(
            f'<p style="margin:0 0 12px;font-family:{SANS};font-size:13px;color:{MUTED};">'
            f"{escape(item.byline)}</p>"
        )
    parts.append(
        f'<p style="margin:0 0 12px;font-family:{SERIF};font-size:16px;line-height:1.5;'
        f'color:{INK};">{_lines(item.teaser)}</p>'
    )
    if item.pull_quote:
        parts.append(
            f'<p style="margin:0 0 12px;padding:0 0 0 12px;border-left:3px solid {ACCENT};'
            f"font-family:{SERIF};font-size:17px;font-style:italic;line-height:1.4;"
            f'color:{INK};">{_lines(_quoted(item.pull_quote))}</p>'
        )
    call = _link(item.url, escape(CALL_TO_ACTION), f"color:{ACCENT};font-weight:bold;")
    parts.append(f'<p style="margin:0;font-family:{SANS};font-size:14px;">{call}</p>')
    return f'<tr><td style="padding:{PADDING}px {PADDING}px 0;">{"".join(parts)}</td></tr>'


def html(
    title: str,
    first_line: str,
    heading: str,
    home: str,
    items: list[NewsletterItem],
    site: Site,
) -> str:
    """The email's HTML document."""
    masthead = _link(home, escape(heading), f"color:{INK};text-decoration:none;")
    entries = "".join(_item_html(item) for item in items) or (
        f'<tr><td style="padding:{PADDING}px {PADDING}px 0;font-family:{SERIF};font-size:16px;'
        f'color:{INK};">{escape(first_line)}</td></tr>'
    )
    footer = _link(site.base_url, escape(site.title), f"color:{MUTED};")
    return (
        f'<!DOCTYPE html><html lang="{escape(site.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        f'<body style="margin:0;padding:0;background-color:{PAGE};">'
        # The preheader: shown by inboxes next to the subject, hidden in the message.
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">'
        f"{escape(first_line)}</div>"
        f'<table {TABLE} width="100%" style="background-color:{PAGE};">'
        f'<tr><td align="center" style="padding:{PADDING}px 12px;">'
        f'<table {TABLE} width="{WIDTH}" style="width:100%;max-width:{WIDTH}px;'
        'background-color:#ffffff;">'
        f'<tr><td style="padding:{PADDING}px {PADDING}px 0;font-family:{SERIF};font-size:28px;'
        f'font-weight:bold;">{masthead}</td></tr>'
        f"{entries}"
        f'<tr><td style="padding:{PADDING}px;font-family:{SANS};font-size:13px;color:{MUTED};">'
        f"{footer}</td></tr>"
        "</table></td></tr></table></body></html>"
    )


def _item_text(item: NewsletterItem) -> str:
    lines = [item.kicker.upper(), item.title]
    if item.byline:
        lines.append(item.byline)
    lines += ["", item.teaser, ""]
    if item.pull_quote:
        lines += [_quoted(item.pull_quote), ""]
    lines.append(f"{CALL_TO_ACTION}: {item.url}")
    return "\n".join(lines)


def text(first_line: str, heading: str, home: str, items: list[NewsletterItem], site: Site) -> str:
    """The plain-text alternative: the same entries, each link written out."""
    parts = [f"{heading}\n{home}", first_line]
    if items:
        parts.append("\n\n* * *\n\n".join(_item_text(item) for item in items))
    parts.append(f"-- \n{site.title}: {site.base_url}")
    return "\n\n".join(parts) + "\n"
