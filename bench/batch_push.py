"""Bulk push: N ready estimate creates through the batch endpoint against one by one, calls and time side by side.

Run: DEBUG=1 .venv/bin/python bench/batch_push.py [--creates 100] [--runs 3]

Starts a real `manage.py qbo_sandbox` on a free loopback port (throwaway SQLite files for it and the app), connects a
company through the consent page, makes a customer, a project and an item there, then for each run saves N estimates
with their outbox items in one transaction and sends them: once by draining the company's outbox in batches
(`quickbooks.sync.batch.outbox_drain`), once one item at a time (`quickbooks.sync.push.outbox_send`), alternating.
Prints API calls, seconds and estimates per second for both, and checks QuickBooks holds each estimate once. The
target is ceil(N/30) calls for the batch side. Prints figures only.
"""

import argparse
import math
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_pull import connect, counting_client, free_port, setup_django, start_sandbox  # noqa: E402

REALM = "9341453099990077"


def realm_with_a_project(base_url: str) -> None:
    import requests

    answer = requests.post(
        f"{base_url}/_sandbox/realms", json={"realm_id": REALM, "name": "Batch Co.", "plan": "advanced"}, timeout=30
    )
    answer.raise_for_status()


def project_setup(company) -> dict:
    import uuid

    from quickbooks.client import QuickBooksClient
    from quickbooks.sync import pull

    qb = QuickBooksClient.for_company(company)
    customer = qb.create("Customer", {"DisplayName": "Batch Client"}, request_id=uuid.uuid4().hex)
    project = qb.graphql(
        "mutation($input: ProjectManagement_CreateProjectInput!) { projectManagementCreateProject(input: $input) "
        "{ ... on ProjectManagement_Project { id } } }",
        {"input": {"name": "Batch Kitchen", "customer": {"id": customer["Id"]}}},
    )["projectManagementCreateProject"]["id"]
    income = qb.create("Account", {"Name": "Batch Sales", "AccountType": "Income"}, request_id=uuid.uuid4().hex)
    item = qb.create(
        "Item",
        {
            "Name": "Batch Cabinets",
            "Type": "Service",
            "UnitPrice": Decimal("250"),
            "IncomeAccountRef": {"value": income["Id"]},
        },
        request_id=uuid.uuid4().hex,
    )
    pull.pull_full(company=company)
    return {"customer": customer["Id"], "project": project, "item": item["Id"]}


def ready_creates(company, setup: dict, count: int, tag: str) -> list[int]:
    """`count` estimates saved here with their outbox items, all in one transaction, as an import would."""
    from django.db import transaction
    from django.utils import timezone

    from projects.models import Estimate, EstimateLine
    from quickbooks.sync.push import outbox_enqueue

    items = []
    with transaction.atomic():
        for n in range(count):
            estimate = Estimate.objects.create(
                company=company,
                customer_qbo_id=setup["customer"],
                project_qbo_id=setup["project"],
                txn_date=timezone.localdate(),
                private_note=f"{tag} {n}",
            )
            EstimateLine.objects.create(
                estimate=estimate,
                line_num=1,
                item_qbo_id=setup["item"],
                qty=Decimal("4"),
                unit_price=Decimal("250.00"),
                amount=Decimal("1000.00"),
                tax_code="NON",
            )
            items.append(outbox_enqueue(obj=estimate).pk)
    return items


def send(company, setup: dict, count: int, how: str, run: int) -> tuple[int, float, int]:
    from quickbooks.models import OutboxItem
    from quickbooks.sync.batch import outbox_drain
    from quickbooks.sync.push import outbox_send

    items = ready_creates(company, setup, count, f"{how} {run}")
    client = counting_client(company)
    began = time.perf_counter()
    if how == "batch":
        outbox_drain(company=company, client=client)
    else:
        for item_id in items:
            outbox_send(item_id=item_id, client=client)
    seconds = time.perf_counter() - began
    sent = OutboxItem.objects.filter(pk__in=items, status=OutboxItem.Status.SENT).count()
    return client.calls, seconds, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="batch-push-") as folder:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        setup_django(folder, base_url)
        process = start_sandbox(port, folder)
        try:
            realm_with_a_project(base_url)
            company = connect(REALM, "Batch Co.")
            setup = project_setup(company)
            from django.conf import settings

            from quickbooks.client import QuickBooksClient

            figures: dict[str, list[tuple[int, float, int]]] = {"batch": [], "one by one": []}
            for run in range(args.runs):
                for how in figures:
                    figures[how].append(send(company, setup, args.creates, how, run))
            remote = [e for page in QuickBooksClient.for_company(company).query_pages("Estimate") for e in page]
            notes = [e.get("PrivateNote", "") for e in remote]
            print(
                f"{args.creates} ready creates, {args.runs} runs each side, alternating; "
                f"client limits {settings.QBO_RATE_PER_SECOND}/s, {settings.QBO_BATCH_PER_MINUTE} batches/min"
            )
            print(f"{'how':<12}{'calls':>7}{'median s':>10}{'min s':>8}{'max s':>8}{'creates/s':>11}{'sent':>7}")
            for how, rows in figures.items():
                seconds = [s for _, s, _ in rows]
                median = statistics.median(seconds)
                print(
                    f"{how:<12}{rows[0][0]:>7}{median:>10.2f}{min(seconds):>8.2f}{max(seconds):>8.2f}"
                    f"{args.creates / median:>11.1f}{rows[0][2]:>7}"
                )
            ratio = statistics.median(figures["one by one"][i][1] / figures["batch"][i][1] for i in range(args.runs))
            print(
                f"batch calls {figures['batch'][0][0]} against the target ceil({args.creates}/30) = "
                f"{math.ceil(args.creates / 30)}; one by one is {ratio:.1f}x slower (median of pairs)"
            )
            print(
                f"QuickBooks holds {len(remote)} estimates for {2 * args.runs * args.creates} sent; "
                f"duplicates: {len(notes) - len(set(notes))}"
            )
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
