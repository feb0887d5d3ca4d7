"""Cross-origin reads (CORS, per the Fetch standard) for the origins in COLLOQUY_CORS_ORIGINS.

Public routes (the Content API, feeds, preview, views) answer the listed origins, or any origin
when the list holds `*`. Admin routes answer only origins listed by name, never `*`: a token in
a page of any site must not be usable from there.

The headers are added as a response leaves the service, after the public cache: the cache
keeps one response per URL, whatever the origin, and so can never hand one origin's
`Access-Control-Allow-Origin` to another. Where the answer depends on the origin, responses
say `Vary: Origin` for the caches downstream, whether or not this request had an Origin.
"""

from typing import Any
from urllib.parse import urlsplit

from app.asgi import Headers, Message, Scope, Send

PUBLIC_PREFIXES = ("/content/", "/feeds/")
ADMIN_PREFIX = "/admin/"
MAX_AGE = b"600"  # seconds a browser may keep a preflight's answer


class Policy:
    """What one kind of route allows across origins."""

    def __init__(self, methods: str, request_headers: str, exposed: str) -> None:
        self.preflight: Headers = [
            (b"access-control-allow-methods", methods.encode()),
            (b"access-control-allow-headers", request_headers.encode()),
            (b"access-control-max-age", MAX_AGE),
        ]
        self.exposed: Headers = [(b"access-control-expose-headers", exposed.encode())]
        self.methods = frozenset(methods.split(", "))


PUBLIC = Policy(
    "GET, HEAD, POST",
    "Content-Type, If-None-Match, If-Modified-Since",
    "ETag, Last-Modified, Link, Retry-After, X-Request-Id",
)
ADMIN = Policy(
    "GET, POST, PUT, PATCH, DELETE",
    "Authorization, Content-Type, If-Match, Idempotency-Key",
    "ETag, Location, Retry-After, X-Request-Id",
)


def check_origins(origins: tuple[str, ...]) -> None:
    """Each entry is `*` or an origin: scheme and host (and port), nothing more."""
    for origin in origins:
        if origin == "*":
            continue
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or origin != _origin(parts):
            raise ValueError(
                f"COLLOQUY_CORS_ORIGINS: {origin!r} is not an origin; list origins such as "
                "https://www.example.com (scheme, host and port only, no path or slash), "
                "separated by commas, or *"
            )


def _origin(parts: Any) -> str:
    return f"{parts.scheme}://{parts.netloc}"


class Cors:
    def __init__(self, origins: tuple[str, ...]) -> None:
        self.any_origin = "*" in origins
        self.named = frozenset(origin.encode() for origin in origins if origin != "*")

    def __bool__(self) -> bool:
        return self.any_origin or bool(self.named)

    def policy(self, path: str) -> tuple[Policy, bool] | None:
        """The policy for a path, and whether it answers any origin."""
        if path.startswith(PUBLIC_PREFIXES):
            return PUBLIC, self.any_origin
        if path.startswith(ADMIN_PREFIX) and self.named:
            return ADMIN, False
        return None

    def preflight(self, scope: Scope) -> Headers | None:
        """The headers of a 204 answering a preflight this service allows, else None (the app
        then answers OPTIONS as it would without CORS, which the browser takes as a no)."""
        found = self.policy(scope["path"])
        origin, method = _header(scope, b"origin"), _header(scope, b"access-control-request-method")
        if found is None or origin is None or method is None:
            return None
        policy, any_origin = found
        allowed = self._allow(origin, any_origin)
        if allowed is None or method.decode("latin-1") not in policy.methods:
            return None
        return [*allowed, *policy.preflight]

    def wrap(self, scope: Scope, send: Send) -> Send:
        """`send` with the CORS headers of this request's origin added to the response."""
        found = self.policy(scope["path"])
        if found is None:
            return send
        policy, any_origin = found
        origin = _header(scope, b"origin")
        allowed = self._allow(origin, any_origin) if origin is not None else None
        added = [*allowed, *policy.exposed] if allowed else []

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any_origin:
                    headers = vary_on_origin(headers)
                message = {**message, "headers": headers + added}
            await send(message)

        return with_cors

    def _allow(self, origin: bytes, any_origin: bool) -> Headers | None:
        if any_origin:
            return [(b"access-control-allow-origin", b"*")]
        if origin in self.named:
            return [(b"access-control-allow-origin", origin)]
        return None


def vary_on_origin(headers: Headers) -> Headers:
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            headers[index] = (name, value + b", Origin")
            return headers
    return [*headers, (b"vary", b"Origin")]


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None
