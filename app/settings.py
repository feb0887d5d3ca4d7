"""Configuration, read once from the environment and passed into `create_app`."""

import ipaddress
from collections.abc import Mapping
from typing import Literal

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting the service has; the README lists each with its environment variable."""

    database_url: str | None = None
    data_dir: str = ".colloquy"
    base_url: str = ""  # empty: http://{host}:{port}
    site_title: str = "Colloquy"
    site_language: str = "en"
    websub_hub: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576
    pool_size: int = 10
    workers: int = 1
    run_worker: bool = True
    webhook_allow_private: bool = False
    # The public response cache's budget for the bodies it keeps, all codings counted.
    cache_max_bytes: int = 64 * 1024 * 1024
    # Peers whose Forwarded / X-Forwarded-For headers name the client (CIDR blocks).
    trusted_proxies: tuple[str, ...] = ()
    # Log records as JSON lines, or as text for a person; "auto": text on a terminal.
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Who may read /metrics (CIDR blocks).
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    # After SIGTERM: seconds of answering not-ready while still serving, for load balancers.
    drain_seconds: float = 5.0

    def __post_init__(self) -> None:
        for name, blocks in (
            ("COLLOQUY_TRUSTED_PROXIES", self.trusted_proxies),
            ("COLLOQUY_METRICS_ALLOW", self.metrics_allow),
        ):
            _check_blocks(name, blocks)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        raw = {
            "database_url": env.get("DATABASE_URL") or None,
            "data_dir": env.get("COLLOQUY_DATA_DIR"),
            "base_url": env.get("COLLOQUY_BASE_URL"),
            "site_title": env.get("COLLOQUY_SITE_TITLE"),
            "site_language": env.get("COLLOQUY_SITE_LANGUAGE"),
            "websub_hub": env.get("COLLOQUY_WEBSUB_HUB") or None,
            "host": env.get("COLLOQUY_HOST"),
            "port": env.get("COLLOQUY_PORT"),
            "max_body_bytes": env.get("COLLOQUY_MAX_BODY_BYTES"),
            "pool_size": env.get("COLLOQUY_POOL_SIZE"),
            "workers": env.get("COLLOQUY_WORKERS"),
            "run_worker": env.get("COLLOQUY_RUN_WORKER"),
            "webhook_allow_private": env.get("COLLOQUY_WEBHOOK_ALLOW_PRIVATE"),
            "cache_max_bytes": env.get("COLLOQUY_CACHE_MAX_BYTES"),
            "trusted_proxies": _comma_list(env.get("COLLOQUY_TRUSTED_PROXIES")),
            "log_format": env.get("COLLOQUY_LOG_FORMAT"),
            "log_level": env.get("COLLOQUY_LOG_LEVEL"),
            "metrics_allow": _comma_list(env.get("COLLOQUY_METRICS_ALLOW")),
            "drain_seconds": env.get("COLLOQUY_DRAIN_SECONDS"),
        }
        given = {name: value for name, value in raw.items() if value is not None}
        # strict=False lets msgspec turn "8000" into 8000 and name the variable that is wrong.
        settings = msgspec.convert(given, cls, strict=False)
        base_url = settings.base_url or f"http://{settings.host}:{settings.port}"
        return msgspec.structs.replace(settings, base_url=base_url.rstrip("/"))


def _check_blocks(variable: str, blocks: tuple[str, ...]) -> None:
    for block in blocks:
        try:
            ipaddress.ip_network(block, strict=False)
        except ValueError:
            raise ValueError(f"{variable}: {block!r} is not an address or CIDR block") from None


def _comma_list(value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(",") if part.strip()]
