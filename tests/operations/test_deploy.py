"""The dashboard and the alert rules under deploy/ use only metrics the service exposes."""

import json
import re
from pathlib import Path

import httpx
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
METRIC = re.compile(r"\bcolloquy_[a-z_]+")
SUFFIXES = re.compile(r"_(total|bucket|count|sum|created)$")


def used_in_alerts() -> set[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert exprs, "no alert rules"
    return {name for expr in exprs for name in METRIC.findall(expr)}


def used_in_dashboard() -> set[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "colloquy.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert exprs, "no panels"
    return {name for expr in exprs for name in METRIC.findall(expr)}


async def exposed(client: httpx.AsyncClient) -> set[str]:
    """Metric family names as /metrics declares them (# TYPE lines), suffixes included."""
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    families = {
        line.split()[2] for line in response.text.splitlines() if line.startswith("# TYPE ")
    }
    counters = {f"{name}_total" for name in families}
    histograms = {f"{name}_{part}" for name in families for part in ("bucket", "count", "sum")}
    return families | counters | histograms


async def test_every_metric_the_alerts_and_dashboard_use_exists(client: httpx.AsyncClient) -> None:
    available = await exposed(client)
    missing = sorted((used_in_alerts() | used_in_dashboard()) - available)
    assert missing == []


async def test_the_alerts_cover_what_the_issue_asks_for() -> None:
    alerts = used_in_alerts()
    for needed in ("colloquy_outbox_lag_seconds", "colloquy_webhook_deliveries_total",
                   "colloquy_http_requests_total", "colloquy_ready"):  # fmt: skip
        assert needed in alerts
    assert {SUFFIXES.sub("", name) for name in used_in_dashboard()} >= {
        "colloquy_http_requests",
        "colloquy_http_request_duration_seconds",
        "colloquy_cache_hits",
        "colloquy_db_pool_in_use",
    }
