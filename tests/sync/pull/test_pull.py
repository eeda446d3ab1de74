"""The pull engine against the live sandbox: full pulls, CDC, overlap, conflicts, paging, failures, one object."""

import gc
import math
import threading
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.utils import timezone

from quickbooks.client import QuickBooksClient
from quickbooks.client.errors import from_fault
from quickbooks.models import PullCursor, ReferenceRecord, SyncRun, SyncState
from quickbooks.models.references import REFERENCE_ENTITIES
from quickbooks.sync import pull, references, registry
from quickbooks.sync.registry import PulledEntity
from tests.sync.conftest import rid
from tests.sync.pull.conftest import create_all, deactivate

pytestmark = pytest.mark.django_db


def remote(qb, entity: str) -> dict[str, str]:
    """Every object of a name list in QuickBooks, inactive ones too: {Id: SyncToken}."""
    return {d["Id"]: d["SyncToken"] for page in qb.query_pages(entity, "Active IN (true, false)") for d in page}


def local(company, entity: str) -> dict[str, str]:
    return dict(ReferenceRecord.objects.filter(company=company, entity=entity).values_list("qbo_id", "sync_token"))


def row(company, entity: str, qbo_id: str) -> ReferenceRecord:
    return ReferenceRecord.objects.get(company=company, entity=entity, qbo_id=qbo_id)


def rename(qb, entity: str, qbo_id: str, field: str, value) -> dict:
    fresh = qb.read(entity, qbo_id)
    return qb.update(
        entity, {"Id": qbo_id, "SyncToken": fresh["SyncToken"], field: value}, request_id=rid(), sparse=True
    )


def written(run: SyncRun) -> int:
    return sum(tally["written"] for tally in run.counts.values())


def test_a_full_pull_mirrors_every_name_list_exactly(connected_company, qb, filled):
    run = pull.pull_full(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    for entity in REFERENCE_ENTITIES:
        assert local(connected_company, entity) == remote(qb, entity), entity
    child = row(connected_company, "Customer", filled["child"]["Id"])
    assert child.parent_qbo_id == filled["customers"][0]["Id"] and child.is_job
    assert child.fully_qualified_name == "Pull Customer 00:Kitchen Remodel"
    assert row(connected_company, "Customer", filled["inactive"]["Id"]).active is False
    item = row(connected_company, "Item", filled["items"][0]["Id"])
    assert item.qbo_document["UnitPrice"] == Decimal("72.50") and isinstance(item.qbo_document["UnitPrice"], Decimal)
    assert run.entities_done == run.entities_total == len(registry.pulled(connected_company.connection.capabilities))
    assert run.progress_percent == 100 and run.api_calls > 0


def test_a_full_pull_sets_each_watermark_to_quickbooks_time_when_it_started(connected_company, filled):
    before = timezone.now() - timedelta(seconds=5)

    run = pull.pull_full(company=connected_company)

    cursors = PullCursor.objects.filter(company=connected_company)
    assert {c.entity for c in cursors} >= set(REFERENCE_ENTITIES)
    assert len({c.watermark for c in cursors}) == 1  # one start time for every entity
    assert before <= cursors[0].watermark <= run.finished_at
    assert cursors.get(entity="Customer").rows == len(filled["customers"]) + 1


def test_pulling_twice_changes_nothing_the_second_time(connected_company, filled):
    pull.pull_full(company=connected_company)
    before = list(ReferenceRecord.objects.order_by("pk").values())

    second = pull.pull_full(company=connected_company)

    assert second.status == SyncRun.Status.SUCCEEDED and written(second) == 0
    assert second.counts["Customer"]["pulled"] == len(filled["customers"]) + 1
    assert list(ReferenceRecord.objects.order_by("pk").values()) == before


def test_a_change_made_in_quickbooks_arrives_with_pull_changes(connected_company, qb, filled):
    pull.pull_full(company=connected_company)
    renamed = rename(qb, "Customer", filled["customers"][5]["Id"], "DisplayName", "Renamed In QuickBooks")
    [added] = create_all(
        qb,
        "Item",
        [{"Name": "Added Later", "Type": "Service", "IncomeAccountRef": filled["items"][0]["IncomeAccountRef"]}],
    )

    run = pull.pull_changes(company=connected_company)

    assert run.kind == SyncRun.Kind.INCREMENTAL_PULL and run.status == SyncRun.Status.SUCCEEDED, run.error
    customer = row(connected_company, "Customer", renamed["Id"])
    assert customer.name == "Renamed In QuickBooks" and customer.sync_token == renamed["SyncToken"]
    assert row(connected_company, "Item", added["Id"]).name == "Added Later"
    # One CDC request for every CDC entity (its reply's time is the new watermark), one query for TaxCode (which CDC
    # refuses).
    assert run.api_calls == 2


def test_a_customer_deactivated_in_quickbooks_arrives_inactive(connected_company, qb, filled):
    pull.pull_full(company=connected_company)
    deactivate(qb, "Customer", filled["customers"][7])

    pull.pull_changes(company=connected_company)

    assert row(connected_company, "Customer", filled["customers"][7]["Id"]).active is False
    assert ReferenceRecord.objects.customers().filter(company=connected_company).count() == len(filled["customers"]) + 1


def test_a_watermark_older_than_30_days_brings_a_full_pull(connected_company, qb, filled):
    pull.pull_full(company=connected_company)
    PullCursor.objects.filter(company=connected_company).update(watermark=timezone.now() - timedelta(days=31))

    run = pull.pull_changes(company=connected_company)

    assert run.kind == SyncRun.Kind.FULL_PULL and run.status == SyncRun.Status.SUCCEEDED, run.error
    assert (
        PullCursor.objects.filter(company=connected_company, watermark__lt=timezone.now() - timedelta(days=1)).count()
        == 0
    )


def test_a_missing_watermark_for_one_entity_rereads_only_that_entity_whole(connected_company, qb, filled):
    pull.pull_full(company=connected_company)
    PullCursor.objects.filter(company=connected_company, entity="Item").delete()

    run = pull.pull_changes(company=connected_company)

    assert run.kind == SyncRun.Kind.INCREMENTAL_PULL and run.counts["Item"]["pulled"] == len(filled["items"])
    assert PullCursor.objects.get(company=connected_company, entity="Item").last_full_pull_at is not None


@pytest.fixture
def no_overlap(settings, filled):
    """CDC from the watermark itself, a second after the fill: only what changes from now on is news to a pull."""
    settings.QBO_CDC_OVERLAP_SECONDS = 0
    time.sleep(1.1)  # changedSince is sent in whole seconds


def test_entities_cdc_reports_unchanged_are_counted_done_and_their_watermarks_move_on(
    connected_company, qb, filled, no_overlap
):
    pull.pull_full(company=connected_company)
    rename(qb, "Customer", filled["customers"][3]["Id"], "DisplayName", "Changed Alone")

    run = pull.pull_changes(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.entities_done == run.entities_total and run.counts["Customer"]["pulled"] >= 1
    assert run.counts["Item"] == {"pulled": 0, "written": 0, "removed": 0, "calls": 0}
    cursors = PullCursor.objects.filter(company=connected_company)
    assert len({c.watermark for c in cursors}) == 1 and cursors.get(entity="Item").last_pull_at >= run.started_at
    rename(qb, "Item", filled["items"][0]["Id"], "Name", "Changed Later")  # the moved watermark misses nothing
    assert pull.pull_changes(company=connected_company).counts["Item"]["pulled"] >= 1
    assert row(connected_company, "Item", filled["items"][0]["Id"]).name == "Changed Later"


def test_a_change_pull_with_nothing_changed_takes_a_few_queries_however_many_entities(
    connected_company, no_overlap, django_assert_max_num_queries
):
    pull.pull_full(company=connected_company)
    connected_company.refresh_from_db()

    # The run, its cursors read and the unchanged ones' moved in one UPDATE, TaxCode's query (CDC has no TaxCode):
    # not the handful each of the eight entities CDC answered for took when each was bookkept on its own.
    with django_assert_max_num_queries(10):
        run = pull.pull_changes(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED and run.entities_done == run.entities_total == 9


def test_the_overlap_rereads_recent_changes_without_duplicates(connected_company, qb, filled):
    pull.pull_full(company=connected_company)
    rename(qb, "Customer", filled["customers"][3]["Id"], "DisplayName", "Changed Once")
    pull.pull_changes(company=connected_company)

    again = pull.pull_changes(company=connected_company)

    assert again.counts["Customer"]["pulled"] >= 1  # inside the overlap: read again
    assert written(again) == 0
    assert ReferenceRecord.objects.filter(company=connected_company, name="Changed Once").count() == 1
    assert local(connected_company, "Customer") == remote(qb, "Customer")


def test_a_local_edit_waiting_to_be_pushed_is_kept_and_a_remote_change_makes_it_a_conflict(
    connected_company, qb, filled
):
    pull.pull_full(company=connected_company)
    edited, untouched = (row(connected_company, "Customer", filled["customers"][n]["Id"]) for n in (8, 9))
    for record in (edited, untouched):
        record.name, record.sync_state = "Edited In Costline", SyncState.PENDING_PUSH
        record.save()
    remote_version = rename(qb, "Customer", edited.qbo_id, "DisplayName", "Edited In QuickBooks")

    pull.pull_changes(company=connected_company)
    pull.pull_full(company=connected_company)

    edited.refresh_from_db()
    untouched.refresh_from_db()
    assert edited.name == "Edited In Costline" and edited.sync_state == SyncState.CONFLICT
    assert edited.conflict_document["DisplayName"] == "Edited In QuickBooks"
    assert edited.conflict_document["SyncToken"] == remote_version["SyncToken"]
    assert untouched.name == "Edited In Costline" and untouched.sync_state == SyncState.PENDING_PUSH
    assert untouched.conflict_document is None


def test_a_full_pull_reads_1000_rows_a_request(connected_company, qb, scaffolding):
    with scaffolding(connected_company) as writer:
        create_all(writer, "Customer", [{"DisplayName": f"Paged Customer {n:04d}"} for n in range(1050)])
    client = QuickBooksClient.for_company(connected_company)
    sizes = {entity: len(remote(qb, entity)) for entity in REFERENCE_ENTITIES}

    run = pull.pull_full(company=connected_company, client=client)

    assert run.counts["Customer"]["pulled"] == sizes["Customer"] >= 1050
    # The page floor: ceil(rows / 1000) per entity, nothing for an empty one; one batch request more, which counts
    # every entity and reads QuickBooks' time.
    assert run.counts["Customer"]["calls"] == math.ceil(sizes["Customer"] / 1000) == 2
    assert run.api_calls == client.calls == 1 + sum(math.ceil(rows / 1000) for rows in sizes.values())


def test_a_full_pull_keeps_its_pages_out_of_the_cyclic_collector_while_it_ingests_them_and_no_longer(
    connected_company, scaffolding, monkeypatch
):
    with scaffolding(connected_company) as writer:
        create_all(writer, "Customer", [{"DisplayName": f"Frozen Customer {n:04d}"} for n in range(1000)])
    pages: list[tuple[int, bool, bool]] = []
    customers = registry.pulled_entity("Customer")

    def ingest(company, documents):
        in_a_generation = {id(o) for o in gc.get_objects()}  # every tracked object the collector would traverse
        pages.append((len(documents), gc.is_tracked(documents[0]), id(documents[0]) in in_a_generation))
        return customers.ingest(company, documents)

    monkeypatch.setitem(registry._pulled, "Customer", replace(customers, ingest=ingest))
    assert gc.get_freeze_count() == 0

    run = pull.pull_full(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    (rows, tracked, traversed), *_ = pages
    assert rows == 1000 and tracked and not traversed  # a container, yet in no generation: frozen
    assert gc.get_freeze_count() == 0  # handed back when the pull ended


def test_counted_pages_stop_at_the_count_without_asking_for_an_empty_last_page(connected_company, qb):
    create_all(qb, "Customer", [{"DisplayName": f"Counted Customer {n}"} for n in range(4)])
    client = QuickBooksClient.for_company(connected_company)
    where = "DisplayName LIKE 'Counted Customer%'"

    totals, clock = client.counts({"Customer": where, "Class": "", "Spaceship": ""})
    # An item QuickBooks refuses (no such entity) is left out: that entity's pages are read until a short one.
    assert totals == {"Customer": 4, "Class": len(remote(qb, "Class"))} and clock is not None
    assert client.calls == 1

    before = client.calls
    counted = list(client.query_pages("Customer", where, page_size=2, total=totals["Customer"]))
    assert [len(page) for page in counted] == [2, 2] and client.calls - before == 2
    before = client.calls
    uncounted = list(client.query_pages("Customer", where, page_size=2))  # the third request finds nothing
    assert uncounted == counted and client.calls - before == 3
    before = client.calls
    assert list(client.query_pages("Customer", where, total=0)) == [] and client.calls == before


def storm_after(sandbox, responses: int):
    """A response hook: after `responses` replies, QuickBooks starts failing every request with 500."""
    seen = []

    def hook(response, *args, **kwargs):
        seen.append(response.status_code)
        if len(seen) == responses:
            sandbox.control("post", "faults", json={"kind": "500", "count": 20})
        return response

    return hook


def test_a_quickbooks_failure_mid_pull_fails_the_run_in_plain_words_and_keeps_what_was_read(
    connected_company, qb, filled, qbo, settings
):
    settings.QBO_MAX_RETRIES = 1
    client = QuickBooksClient.for_company(connected_company)
    # The counts, then Account, Class and Customer; Department is empty, so the count spares it a request and
    # Employee's page is the first to meet the 500s.
    client.session.hooks["response"].append(storm_after(qbo, 4))

    run = pull.pull_full(company=connected_company, client=client)

    qbo.control("delete", "faults")
    run.refresh_from_db()
    assert remote(qb, "Department") == {} and all(remote(qb, e) for e in ("Account", "Class", "Customer", "Employee"))
    assert run.status == SyncRun.Status.FAILED and run.finished_at is not None
    assert run.error.startswith("QuickBooks did not answer properly while reading Employee")
    assert "<" not in run.error and "{" not in run.error
    assert run.entities_done == 4 and run.progress_percent < 100
    for entity in ("Account", "Class", "Customer", "Department"):
        assert local(connected_company, entity) == remote(qb, entity)
    assert set(PullCursor.objects.filter(company=connected_company).values_list("entity", flat=True)) == {
        "Account",
        "Class",
        "Customer",
        "Department",
    }


def test_a_failure_on_a_page_read_ahead_fails_the_run_and_keeps_the_pages_before_it(
    connected_company, qb, filled, qbo, settings, monkeypatch
):
    settings.QBO_MAX_RETRIES = 1
    monkeypatch.setattr(pull, "PAGE_SIZE", 10)  # Customer's 31 in four pages, read one ahead on a thread
    client = QuickBooksClient.for_company(connected_company)
    client.session.hooks["response"].append(storm_after(qbo, 4))  # time, Account, Class, Customer page 1

    run = pull.pull_full(company=connected_company, client=client)

    qbo.control("delete", "faults")
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and run.finished_at is not None
    assert run.error.startswith("QuickBooks did not answer properly while reading Customer")
    assert run.counts["Customer"]["pulled"] == 10 and run.entities_done == 2
    kept = local(connected_company, "Customer")
    assert len(kept) == 10 and kept.items() <= remote(qb, "Customer").items()
    assert not PullCursor.objects.filter(company=connected_company, entity="Customer").exists()
    assert not [t for t in threading.enumerate() if t.name == "qbo-pull-read-ahead" and t.is_alive()]


def test_pull_one_brings_in_the_object_a_webhook_named(connected_company, qb, filled):
    pull.pull_full(company=connected_company)
    changed = rename(qb, "Item", filled["items"][1]["Id"], "UnitPrice", Decimal("99.95"))

    run = pull.pull_one(company=connected_company, entity="Item", qbo_id=changed["Id"])

    assert run.kind == SyncRun.Kind.TARGETED_FETCH and run.status == SyncRun.Status.SUCCEEDED
    assert row(connected_company, "Item", changed["Id"]).qbo_document["UnitPrice"] == Decimal("99.95")
    assert run.api_calls == 1


def test_pull_one_of_an_object_quickbooks_no_longer_has_marks_it_inactive(connected_company, filled):
    pull.pull_full(company=connected_company)
    ReferenceRecord.objects.create(company=connected_company, entity="Vendor", qbo_id="987654", name="Gone Ltd")

    run = pull.pull_one(company=connected_company, entity="Vendor", qbo_id="987654")

    assert run.status == SyncRun.Status.SUCCEEDED and run.counts["Vendor"]["removed"] == 1
    assert row(connected_company, "Vendor", "987654").active is False


def test_pull_one_of_an_entity_nothing_mirrors_does_nothing(connected_company):
    assert pull.pull_one(company=connected_company, entity="Payment", qbo_id="1") is None
    assert not SyncRun.objects.filter(company=connected_company).exists()


def test_a_whole_pull_removes_what_quickbooks_no_longer_has_but_not_what_is_stored_meanwhile(
    connected_company, filled, monkeypatch
):
    """A local copy QuickBooks no longer lists goes; one another writer stores while the pull runs (a push's reply,
    say) stays, though the pull's pages, read before it, do not name it."""
    pull.pull_full(company=connected_company)
    ReferenceRecord.objects.create(company=connected_company, entity="Vendor", qbo_id="987654", name="Gone Ltd")
    ingest = pull._ingest

    def ingest_while_another_writer_stores(run, client, entity, page):
        if entity.name == "Vendor":
            ReferenceRecord.objects.get_or_create(
                company=connected_company, entity="Vendor", qbo_id="555555", defaults={"name": "Just Pushed Ltd"}
            )
        return ingest(run, client, entity, page)

    monkeypatch.setattr(pull, "_ingest", ingest_while_another_writer_stores)

    run = pull.pull_full(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts["Vendor"]["removed"] == 1
    assert row(connected_company, "Vendor", "987654").active is False
    assert row(connected_company, "Vendor", "555555").active is True


def test_more_changes_than_one_cdc_answer_holds_are_asked_again_in_halves_and_all_arrive(
    connected_company, scaffolding
):
    pull.pull_full(company=connected_company)
    with scaffolding(connected_company) as qb:  # 38 batch requests: a minute's wait under the batch limits
        customers = create_all(qb, "Customer", [{"DisplayName": f"Busy Customer {n:03d}"} for n in range(600)])
        account = create_all(qb, "Account", [{"Name": "Busy Income", "AccountType": "Income"}])[0]
        items = create_all(
            qb,
            "Item",
            [
                {"Name": f"Busy Item {n:03d}", "Type": "Service", "IncomeAccountRef": {"value": account["Id"]}}
                for n in range(500)
            ],
        )

    run = pull.pull_changes(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts["Customer"]["pulled"] == 600 and run.counts["Item"]["pulled"] == 500  # by CDC, not whole
    assert {c["Id"] for c in customers} <= set(local(connected_company, "Customer"))
    assert {i["Id"] for i in items} <= set(local(connected_company, "Item"))
    assert run.api_calls == 3 + 1  # CDC for all, then each half; TaxCode


def test_one_entity_with_more_changes_than_cdc_can_answer_is_read_whole(connected_company, qb, scaffolding):
    pull.pull_full(company=connected_company)
    with scaffolding(connected_company) as writer:
        customers = create_all(writer, "Customer", [{"DisplayName": f"Flood Customer {n:04d}"} for n in range(1010)])

    run = pull.pull_changes(company=connected_company)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert {c["Id"] for c in customers} <= set(local(connected_company, "Customer"))
    assert local(connected_company, "Customer") == remote(qb, "Customer")
    assert PullCursor.objects.get(company=connected_company, entity="Customer").last_full_pull_at > run.started_at


def test_a_deletion_reported_by_cdc_is_applied_through_the_entity_remove(connected_company, qb, filled, monkeypatch):
    # Bills stored as reference rows stand in for a domain app's transactions: the engine sees only the registry.
    bills = PulledEntity(
        "Bill", partial(references.ingest, entity="Bill"), partial(references.remove, entity="Bill"), order=200
    )
    monkeypatch.setitem(registry._pulled, "Bill", bills)
    vendor = remote_first(qb, "Vendor")
    [payable] = create_all(qb, "Account", [{"Name": "Pull Payables", "AccountType": "Accounts Payable"}])
    bill = qb.create(
        "Bill",
        {
            "VendorRef": {"value": vendor},
            "APAccountRef": {"value": payable["Id"]},
            "Line": [
                {
                    "Amount": Decimal("125.40"),
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": filled["expense"]["Id"]}},
                }
            ],
        },
        request_id=rid(),
    )
    pull.pull_full(company=connected_company)
    assert row(connected_company, "Bill", bill["Id"]).active

    qb.delete("Bill", bill["Id"], bill["SyncToken"], request_id=rid())
    run = pull.pull_changes(company=connected_company)

    assert run.counts["Bill"] == {"pulled": 0, "written": 0, "removed": 1, "calls": 0}
    assert row(connected_company, "Bill", bill["Id"]).active is False


def remote_first(qb, entity: str) -> str:
    return next(iter(remote(qb, entity)))


def test_an_entity_pass_reads_the_company_s_projects_once_for_all_its_pages(connected_company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.models import Project
    from projects.project.sync import project_index

    Project.objects.create(company=connected_company, qbo_id="501", name="Kitchen")
    with CaptureQueriesContext(connection) as outside:
        assert project_index(connected_company) == project_index(connected_company) != {}
    assert len(outside) == 2  # a push or a webhook's one object: read each time

    with registry.entity_pass(), CaptureQueriesContext(connection) as inside:
        first = project_index(connected_company)
        Project.objects.create(company=connected_company, qbo_id="502", name="Bath")
        assert project_index(connected_company) is first and "502" not in first
    assert len([q for q in inside if q["sql"].startswith("SELECT")]) == 1
    with registry.entity_pass():  # the next entity's pass reads afresh
        assert set(project_index(connected_company)) == {"501", "502"}


def test_a_refused_count_batch_costs_requests_not_the_pull(connected_company, qb, filled, monkeypatch):
    client = QuickBooksClient.for_company(connected_company)

    def refused(wheres):
        raise from_fault(
            {"Error": [{"Message": "Request has invalid or unsupported property", "code": "2010"}]}, status=400
        )

    monkeypatch.setattr(client, "counts", refused)
    run = pull.pull_full(company=connected_company, client=client)

    assert run.status == SyncRun.Status.SUCCEEDED
    for entity in ("Account", "Class", "Customer"):
        assert local(connected_company, entity) == remote(qb, entity)
    # Without counts: QuickBooks' clock read apart, and every REST entity ends on a short (maybe empty) page.
    rest = [e for e in registry.pulled(connected_company.connection.capabilities) if e.source == "rest"]
    sizes = [len(remote(qb, e.name)) for e in rest]
    assert run.counts["Department"]["calls"] == 1 and run.api_calls == 1 + sum(rows // 1000 + 1 for rows in sizes)
