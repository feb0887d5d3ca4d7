"""Configuration, read once from the environment and passed into `create_app`.

Each setting `name` is read from `COLLOQUY_NAME` (`database_url` from `DATABASE_URL`). A value
that is wrong stops the service with one line naming the variable, what it held and what it
must be (`ConfigurationError`); a `COLLOQUY_*` variable that names no setting is warned about,
with the closest one (`unknown_variables`).
"""

import difflib
import ipaddress
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import msgspec
from msgspec import inspect

from app.cdn.targets import parse_targets
from app.cors import check_origins
from app.images import check_template

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
Positive = Annotated[int, msgspec.Meta(ge=1)]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]
Seconds = Annotated[float, msgspec.Meta(ge=0)]
DATABASE_SCHEMES = ("postgresql://", "postgres://")


class ConfigurationError(ValueError):
    """A setting is wrong; the message names its variable, its value and what it must be."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting the service has; the README lists each with its environment variable."""

    database_url: str | None = None
    # Streaming replicas of it for public reads (each a postgresql:// URL), and how far one may
    # lag behind a change before those reads go to the primary instead.
    read_database_url: tuple[str, ...] = ()
    max_replica_lag: Seconds = 2.0
    data_dir: str = ".colloquy"
    base_url: str = ""  # empty: http://{host}:{port}
    site_title: str = "Colloquy"
    site_language: str = "en"
    websub_hub: str | None = None
    host: str = "127.0.0.1"
    port: Port = 8000
    max_body_bytes: Positive = 1_048_576
    pool_size: Positive = 10
    workers: Positive = 1
    run_worker: bool = True
    webhook_allow_private: bool = False
    # The public response cache's budget for the bodies it keeps, all codings counted.
    cache_max_bytes: NonNegative = 64 * 1024 * 1024
    # Peers whose Forwarded / X-Forwarded-For headers name the client (CIDR blocks).
    trusted_proxies: tuple[str, ...] = ()
    # Log records as JSON lines, or as text for a person; "auto": text on a terminal.
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Days an audit record is kept; the worker forgets older ones.
    audit_retention_days: Positive = 400
    # Days a deleted interview, series or person waits in the trash; the worker then purges it.
    trash_days: Positive = 30
    # Changes to series, people and interviews must send If-Match (else 428).
    require_if_match: bool = False
    # Saves of a draft by one token within this many seconds of the revision they started fold
    # into it; 0: every save is a revision of its own.
    revision_fold_seconds: NonNegative = 120
    # The longest teaser each placement takes, in user-perceived characters. The card and the
    # front page hold the seed's Thursday Interview teaser with its quote (about 1,400).
    card_teaser_max: Positive = 1_600
    frontpage_teaser_max: Positive = 1_600
    social_teaser_max: Positive = 280
    newsletter_teaser_max: Positive = 1_000
    # Origins whose pages may read the API from a browser (CORS); "*": any, public routes only.
    cors_origins: tuple[str, ...] = ()
    # Where the site shows a preview: an absolute http(s) URL with {token} in it. None:
    # {base_url}/preview/{token}.
    preview_url: str | None = None
    # Who may read /metrics (CIDR blocks).
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    # After SIGTERM: seconds of answering not-ready while still serving, for load balancers.
    drain_seconds: Seconds = 5.0
    # After the drain: how long in-flight requests, the last view-count flush and the worker's
    # last round may take before a server process is killed. With the default drain this stays
    # under the 30 s that Kubernetes waits by default.
    shutdown_timeout: Positive = 20
    # Where public changes purge a CDN's copies (app/cdn/targets.py), separated by commas:
    # varnish:<http URL>, fastly:<service id>, cloudflare:<zone id>; and those APIs' tokens.
    purge_targets: tuple[str, ...] = ()
    fastly_token: str | None = None
    cloudflare_token: str | None = None
    # Seconds a CDN may keep a public response (Surrogate-Control): changes purge it.
    cdn_max_age: NonNegative = 86_400
    # An image service's URL with {url}, {width} and {height} (app/images.py): srcsets and social
    # cards ask it for sizes. None: the originals only.
    image_url_template: str | None = None
    # The site's own image (an absolute http(s) URL): the feeds' channel image, logo and icon.
    site_image: str | None = None

    def __post_init__(self) -> None:
        if self.database_url is not None and not self.database_url.startswith(DATABASE_SCHEMES):
            # Only the scheme is shown: the rest may hold a password.
            scheme, found, _ = self.database_url.partition("://")
            kind = f"a {scheme}:// one" if found else "one without a scheme"
            raise ValueError(
                f"DATABASE_URL must be a postgresql:// URL, not {kind}; set it to "
                "postgresql://user:password@host:5432/database, or unset it to use the embedded "
                "PostgreSQL"
            )
        if not all(url.startswith(DATABASE_SCHEMES) for url in self.read_database_url):
            raise ValueError(  # not the URLs themselves: they may hold passwords
                "COLLOQUY_READ_DATABASE_URL must list postgresql:// URLs separated by commas, "
                "e.g. postgresql://user:password@replica1:5432/db,postgresql://...@replica2/db"
            )
        for name, blocks in (
            ("COLLOQUY_TRUSTED_PROXIES", self.trusted_proxies),
            ("COLLOQUY_METRICS_ALLOW", self.metrics_allow),
        ):
            _check_blocks(name, blocks)
        check_origins(self.cors_origins)
        parse_targets(self.purge_targets, self.fastly_token, self.cloudflare_token)
        if self.preview_url is not None:
            _check_preview_url(self.preview_url)
        if self.image_url_template is not None:
            check_template(self.image_url_template)
        if self.site_image is not None:
            _check_site_image(self.site_image)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        given: dict[str, Any] = {}
        for field in msgspec.structs.fields(cls):
            value = env.get(variable(field.name))
            if value is None or (value == "" and field.default is None):
                continue  # unset, or empty where empty means none
            given[field.name] = _comma_list(value) if field.type == tuple[str, ...] else value
        try:
            # strict=False turns "8000" into 8000; the error says which field is wrong.
            settings = msgspec.convert(given, cls, strict=False)
        except msgspec.ValidationError as error:
            raise ConfigurationError(_explain(str(error), env)) from None
        base_url = settings.base_url or f"http://{settings.host}:{settings.port}"
        return msgspec.structs.replace(settings, base_url=base_url.rstrip("/"))


def variable(field: str) -> str:
    """The environment variable that sets `field`."""
    return "DATABASE_URL" if field == "database_url" else f"COLLOQUY_{field.upper()}"


def unknown_variables(env: Mapping[str, str]) -> Iterator[str]:
    """A warning for each COLLOQUY_* variable that sets nothing (a typo, most likely)."""
    known = {
        variable(field).removeprefix("COLLOQUY_"): variable(field)
        for field in Settings.__struct_fields__
    }
    for name in sorted(env):
        if name.startswith("COLLOQUY_") and name not in known.values():
            # Compared without the prefix, which every name shares and would make all close.
            closest = difflib.get_close_matches(name.removeprefix("COLLOQUY_"), known, n=1)
            hint = f"; did you mean {known[closest[0]]}?" if closest else ""
            yield f"warning: {name} is not a Colloquy setting and is ignored{hint}"


def _explain(error: str, env: Mapping[str, str]) -> str:
    """msgspec's `Expected `int` >= 1 - at `$.workers`` as a line that says what to do."""
    problem, _, path = error.rpartition(" - at `$.")
    if not problem:
        return error  # __post_init__'s own message, which names its variable
    field = path.rstrip("`").split("[")[0]
    info = {entry.name: entry for entry in _fields()}[field]
    name = variable(field)
    return (
        f"{name}={env.get(name, '')!r} is not {_expected(info.type)}; change it, "
        f"or unset {name} for the default ({_shown(info.default)})"
    )


def _fields() -> tuple[inspect.Field, ...]:
    info = inspect.type_info(Settings)
    assert isinstance(info, inspect.StructType)
    return info.fields


def _expected(kind: inspect.Type) -> str:
    match kind:
        case inspect.IntType() | inspect.FloatType():
            noun = "a whole number" if isinstance(kind, inspect.IntType) else "a number"
            if kind.ge is not None and kind.le is not None:
                return f"{noun} from {kind.ge} to {kind.le}"
            if kind.ge is not None:
                return f"{noun} of at least {kind.ge}"
            return noun
        case inspect.BoolType():
            return "true or false"
        case inspect.LiteralType():
            return "one of " + ", ".join(str(value) for value in kind.values)
        case _:
            return "valid"


def _shown(default: object) -> str:
    if isinstance(default, tuple):
        return ",".join(default) or "none"
    if isinstance(default, bool):
        return str(default).lower()
    return str(default)


def _check_blocks(variable: str, blocks: tuple[str, ...]) -> None:
    for block in blocks:
        try:
            ipaddress.ip_network(block, strict=False)
        except ValueError:
            raise ValueError(
                f"{variable}: {block!r} is not an address or CIDR block; list addresses or "
                "blocks separated by commas (e.g. 10.0.0.0/8,192.168.1.7)"
            ) from None


def _check_preview_url(template: str) -> None:
    url = urlsplit(template.replace("{token}", "token"))
    if "{token}" not in template or url.scheme not in ("http", "https") or not url.netloc:
        raise ValueError(
            f"COLLOQUY_PREVIEW_URL must be an absolute http(s) URL with {{token}} in it, not "
            f"{template!r}; e.g. https://site.example/preview?token={{token}}, or unset it for "
            "{COLLOQUY_BASE_URL}/preview/{token}"
        )


def _check_site_image(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise ValueError(
            f"COLLOQUY_SITE_IMAGE must be an absolute http(s) URL, not {url!r}; e.g. "
            "https://site.example/logo.png, or unset it for feeds without an image"
        )


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
