"""Two minutes of the soak (bench/soak.py) in the test suite: random faults under edits on both sides, in a
deployment's configuration; nothing doubled, nothing lost, no silent mismatch at the end."""

import os

import pytest

from bench.soak import Deployment, Soak, report

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_soak_ends_with_no_duplicate_no_lost_write_and_no_silent_mismatch(
    qbo, deploy, connected_company, project_setup, live_server
):
    workers = [deploy()]

    def kill_worker() -> None:
        workers[-1].kill()

    def start_worker() -> None:
        workers.append(deploy(log_name=f"worker-{len(workers)}.log"))

    minutes = float(os.environ.get("SOAK_MINUTES", "2"))
    deployment = Deployment(
        connected_company,
        project_setup,
        qbo.control,
        kill_worker,
        start_worker,
        f"{live_server.url}/quickbooks/webhooks/",
    )
    soak = Soak(deployment, minutes=minutes, seed=int(os.environ.get("SOAK_SEED", "20261206")))

    result = soak.run()
    report(result, soak, minutes)

    assert sum(soak.tally.faults.values()) >= minutes * 60 / 8, soak.tally.faults  # faults really were injected
    assert sum(result["served"].values()) > 0 and soak.tally.operations["Costline create"] > 0
    assert result["quiet"], result["outbox"]
    assert result["duplicates"] == 0, result["twice"]
    assert result["lost"] == []
    assert result["mismatched"] == []
    assert result["refused"] == []
