"""The harness itself: both hosts answer through the balancer, which runs the shipped config."""
from __future__ import annotations

import requests

from tests.support.multihost import DEPLOY


def test_the_balancer_spreads_requests_over_both_hosts_and_runs_the_shipped_config(cluster):
    seen = set()
    for _ in range(6):
        response = requests.get(f"{cluster.url}/readyz", timeout=10)
        assert response.status_code == 200 and response.json() == {"status": "ready"}
        seen.add(response.headers["X-Upstream"])
    assert seen == {host.address for host in cluster.hosts}
    main = (cluster.balancer.directory / "nginx.conf").read_text()
    assert f"include {DEPLOY / 'nginx.conf'};" in main
    # The shipped health-check settings, only the addresses replaced.
    upstream = (cluster.balancer.directory / "confapp" / "upstream.conf").read_text()
    assert upstream.count("max_fails=3 fail_timeout=10s") == 2
