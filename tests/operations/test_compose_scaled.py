"""deploy/compose.scaled.yaml, checked without a Docker engine (none runs here): the parts name
each other consistently (the instances read the replica, write the primary and purge Varnish;
Varnish balances over both instances and lets the worker's network purge), one instance runs
the worker, every instance's settings start, and the replica is cloned with the role the
primary makes for it."""

import ipaddress
import re
from urllib.parse import urlsplit

import yaml

from app import cli as command
from app.settings import Settings
from tests.test_cli import REPO

DEPLOY = REPO / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.scaled.yaml").read_text())
SERVICES = COMPOSE["services"]
INSTANCES = ["api-1", "api-2"]
VCL = (DEPLOY / "varnish" / "compose.vcl").read_text()


def host(url: str) -> str | None:
    return urlsplit(url).hostname


def test_every_instance_starts_with_its_settings_and_serves_without_migrating() -> None:
    for name in INSTANCES:
        environment = SERVICES[name]["environment"]
        settings = Settings.from_env(environment)  # raises on a setting that would stop it
        served = command.parser().parse_args(SERVICES[name]["command"][1:])
        assert served.run is command.serve and served.migrate is False
        assert host(settings.database_url or "") == "primary", name
        assert [host(url) for url in settings.read_database_url] == ["replica"], name
        assert [host(target.split(":", 1)[1]) for target in settings.purge_targets] == ["varnish"]
    workers = [
        name for name in INSTANCES if Settings.from_env(SERVICES[name]["environment"]).run_worker
    ]
    assert workers == ["api-1"]


def test_migrations_run_once_on_the_primary_before_the_instances() -> None:
    migrate = SERVICES["migrate"]
    assert command.parser().parse_args(migrate["command"][1:]).run is command.run_migrate
    assert host(migrate["environment"]["DATABASE_URL"]) == "primary"
    for name in INSTANCES:
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_varnish_balances_over_both_instances_and_lets_them_purge() -> None:
    backends = dict(re.findall(r'backend (\w+) \{\s*\.host = "([^"]+)"', VCL))
    assert sorted(backends.values()) == INSTANCES
    for backend in backends:
        assert f"instances.add_backend({backend});" in VCL
    assert 'include "colloquy.vcl";' in VCL
    [allowed] = re.findall(r'acl purgers \{\s*"([\d.]+)"/(\d+);', VCL)
    [subnet] = COMPOSE["networks"]["colloquy"]["ipam"]["config"]
    assert ipaddress.ip_network("/".join(allowed)) == ipaddress.ip_network(subnet["subnet"])
    varnish = SERVICES["varnish"]
    assert "./varnish:/etc/varnish:ro" in varnish["volumes"]
    assert varnish["command"][varnish["command"].index("-f") + 1] == "/etc/varnish/compose.vcl"
    for limit in ("http_resp_hdr_len=32k", "http_resp_size=96k", "workspace_backend=256k"):
        assert limit in varnish["command"]
    for name in INSTANCES:
        trusted = Settings.from_env(SERVICES[name]["environment"]).trusted_proxies
        assert trusted == (subnet["subnet"],), "readers' addresses come from Varnish"


def test_the_replica_streams_from_the_primary_with_the_role_made_for_it() -> None:
    primary, replica = SERVICES["primary"], SERVICES["replica"]
    init = (DEPLOY / "postgres" / "replication.sh").read_text()
    clone = (DEPLOY / "postgres" / "replica.sh").read_text()
    assert (
        "./postgres/replication.sh:/docker-entrypoint-initdb.d/replication.sh:ro"
        in (primary["volumes"])
    )
    assert "CREATE ROLE replicator WITH REPLICATION LOGIN" in init
    assert "host replication replicator all scram-sha-256" in init
    assert "pg_basebackup -h primary -U replicator" in clone and " -R " in clone
    assert replica["environment"]["PGPASSWORD"] == primary["environment"]["REPLICATION_PASSWORD"]
    assert replica["depends_on"] == {"primary": {"condition": "service_healthy"}}
