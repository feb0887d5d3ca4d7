"""Where purges go (COLLOQUY_PURGE_TARGETS), and the requests each kind takes.

A target is written `kind:where`, several separated by commas:
- `varnish:http://127.0.0.1:6081`: a Varnish with the VCL of deploy/varnish/default.vcl, purged
  by `PURGE /` with the keys in `xkey-purge` (vmod xkey);
- `fastly:<service id>`, with COLLOQUY_FASTLY_TOKEN: Fastly's batch purge by surrogate key,
  `POST /service/<service id>/purge` with the keys in `Surrogate-Key` and the token in
  `Fastly-Key`;
- `cloudflare:<zone id>`, with COLLOQUY_CLOUDFLARE_TOKEN: Cloudflare's purge by cache tag,
  `POST /client/v4/zones/<zone id>/purge_cache` with `{"tags": [...]}` and the token as
  `Authorization: Bearer`.
Each request carries at most as many keys as its API takes at once; more go in several.
"""

from urllib.parse import urlsplit

import msgspec

FASTLY_API = "https://api.fastly.com"
CLOUDFLARE_API = "https://api.cloudflare.com/client/v4"
# Keys per request: Fastly takes 256 per batch purge, Cloudflare 30 tags per call on every plan
# (more on some); Varnish's limit is the request header's length (8 KB by default).
FASTLY_BATCH = 256
CLOUDFLARE_BATCH = 30
VARNISH_BATCH = 100


class PurgeRequest(msgspec.Struct, frozen=True):
    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""


class Varnish(msgspec.Struct, frozen=True):
    url: str

    def requests(self, keys: list[str]) -> list[PurgeRequest]:
        return [
            PurgeRequest("PURGE", self.url, {"xkey-purge": " ".join(batch)})
            for batch in _batches(keys, VARNISH_BATCH)
        ]


class Fastly(msgspec.Struct, frozen=True):
    service_id: str
    token: str
    api: str = FASTLY_API  # another only for a stand-in in tests

    def requests(self, keys: list[str]) -> list[PurgeRequest]:
        url = f"{self.api}/service/{self.service_id}/purge"
        return [
            PurgeRequest(
                "POST",
                url,
                {
                    "Fastly-Key": self.token,
                    "Surrogate-Key": " ".join(batch),
                    "Accept": "application/json",
                },
            )
            for batch in _batches(keys, FASTLY_BATCH)
        ]


class Cloudflare(msgspec.Struct, frozen=True):
    zone_id: str
    token: str
    api: str = CLOUDFLARE_API  # another only for a stand-in in tests

    def requests(self, keys: list[str]) -> list[PurgeRequest]:
        url = f"{self.api}/zones/{self.zone_id}/purge_cache"
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return [
            PurgeRequest("POST", url, headers, msgspec.json.encode({"tags": batch}))
            for batch in _batches(keys, CLOUDFLARE_BATCH)
        ]


Target = Varnish | Fastly | Cloudflare


def _batches(keys: list[str], size: int) -> list[list[str]]:
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def parse_targets(
    specs: tuple[str, ...], fastly_token: str | None, cloudflare_token: str | None
) -> list[Target]:
    """The targets of COLLOQUY_PURGE_TARGETS; ValueError naming what is wrong."""
    return [_target(spec, fastly_token, cloudflare_token) for spec in specs]


def _target(spec: str, fastly_token: str | None, cloudflare_token: str | None) -> Target:
    kind, _, where = spec.partition(":")
    match kind:
        case "varnish":
            parts = urlsplit(where)
            if parts.scheme in ("http", "https") and parts.hostname:
                return Varnish(where)
        case "fastly" if where and "/" not in where:
            if not fastly_token:
                raise ValueError(
                    f"COLLOQUY_PURGE_TARGETS names {spec!r}: set COLLOQUY_FASTLY_TOKEN to an API "
                    "token allowed to purge that service (purge_select)"
                )
            return Fastly(where, fastly_token)
        case "cloudflare" if where and "/" not in where:
            if not cloudflare_token:
                raise ValueError(
                    f"COLLOQUY_PURGE_TARGETS names {spec!r}: set COLLOQUY_CLOUDFLARE_TOKEN to an "
                    "API token with the Cache Purge permission on that zone"
                )
            return Cloudflare(where, cloudflare_token)
    raise ValueError(
        f"COLLOQUY_PURGE_TARGETS: {spec!r} is not a purge target; list targets separated by "
        "commas, each varnish:<http URL>, fastly:<service id> or cloudflare:<zone id>"
    )
