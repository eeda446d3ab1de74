"""The data-health checks on hand-built rows and on the demo company's own documents."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from projects.health import findings
from projects.ledger.normalise import TXN_TYPES
from projects.ledger.sync import ingest_ledger
from projects.models import LedgerLine, Project
from quickbooks.models import ReferenceRecord
from quickbooks.sync.references import ingest as ingest_references
from sandbox import demo
from sandbox.models import Entity, Realm
from sandbox.rest.public import public

pytestmark = pytest.mark.django_db

TaggedBy, Kind = LedgerLine.TaggedBy, LedgerLine.Kind


def customer(company, qbo_id, name, *, parent="", job=False, is_project=False, active=True, balance=0):
    parent_name = ReferenceRecord.objects.get(company=company, entity="Customer", qbo_id=parent).name if parent else ""
    return ReferenceRecord.objects.create(
        company=company,
        entity="Customer",
        qbo_id=qbo_id,
        name=name,
        parent_qbo_id=parent,
        is_job=job,
        is_project=is_project,
        active=active,
        fully_qualified_name=f"{parent_name}:{name}" if parent else name,
        qbo_document={"Id": qbo_id, "DisplayName": name, "Balance": balance},
    )


def project(company, qbo_id, name, parent, **fields):
    return Project.objects.create(company=company, qbo_id=qbo_id, name=name, customer_qbo_id=parent, **fields)


def line(
    company,
    txn_qbo_id,
    line_id,
    amount,
    *,
    customer_id,
    project_id="",
    tagged_by=TaggedBy.CUSTOMER_REF,
    txn_type="Bill",
    kind=Kind.COST,
    doc_number="",
    day=date(2026, 3, 2),
):
    return LedgerLine.objects.create(
        company=company,
        txn_type=txn_type,
        txn_qbo_id=txn_qbo_id,
        line_id=line_id,
        amount=Decimal(amount),
        customer_qbo_id=customer_id,
        customer_name=f"Customer {customer_id}",
        project_qbo_id=project_id,
        tagged_by=tagged_by,
        kind=kind,
        doc_number=doc_number,
        txn_date=day,
        description=f"Line {line_id}",
        project=Project.objects.filter(company=company, qbo_id=project_id).first() if project_id else None,
    )


def build_books(company):
    """Two clients: Lee with one project, Diaz with two; a look-alike sub-customer; a plain customer."""
    customer(company, "10", "Lee")
    customer(company, "20", "Diaz")
    customer(company, "11", "Kitchen", parent="10", job=True, is_project=True)
    customer(company, "21", "Deck", parent="20", job=True, is_project=True)
    customer(company, "22", "Porch", parent="20", job=True, is_project=True)
    customer(company, "12", "Basement", parent="10", job=True, balance=Decimal("120.50"))
    customer(company, "30", "Walk-in client")  # a plain customer: not a problem
    project(company, "11", "Kitchen", "10", fully_qualified_name="Lee:Kitchen")
    project(company, "21", "Deck", "20", fully_qualified_name="Diaz:Deck")
    project(company, "22", "Porch", "20", fully_qualified_name="Diaz:Porch")
    return company


@pytest.fixture
def books(company):
    return build_books(company)


def test_lookalike_check_finds_only_sub_customers_that_are_not_projects(books):
    found = list(findings.lookalike_subcustomers(books))

    assert [(c.qbo_id, c.fully_qualified_name) for c in found] == [("12", "Lee:Basement")]
    assert found[0].parent_has_projects is True


def test_miscoded_check_groups_lines_by_transaction_and_suggests_the_only_project(books):
    line(books, "501", "1", "100.00", customer_id="10", doc_number="B-1")
    line(books, "501", "2", "50.25", customer_id="10", doc_number="B-1")
    line(books, "502", "1", "75.00", customer_id="20", doc_number="B-2")
    line(books, "503", "", "40.00", customer_id="21", project_id="21", txn_type="TimeActivity")
    line(books, "504", "1", "999.00", customer_id="11", project_id="11", tagged_by=TaggedBy.PROJECT_REF)

    groups = {g.txn_qbo_id: g for g in findings.miscoded_transactions(books)}

    assert set(groups) == {"501", "502", "503"}
    assert [ln.line_id for ln in groups["501"].lines] == ["1", "2"]
    assert groups["501"].amount == Decimal("150.25")
    assert groups["501"].suggested.qbo_id == "11"  # Lee has one project
    assert groups["502"].suggested is None  # Diaz has two: the user picks
    assert [p.qbo_id for p in groups["502"].candidates] == ["21", "22"]
    assert groups["503"].suggested.qbo_id == "21"  # the CustomerRef names the project itself
    assert groups["503"].level == "header" and groups["501"].level == "line"


def test_miscoded_check_reads_a_fixed_number_of_queries(books, django_assert_num_queries):
    for n in range(30):
        line(books, str(600 + n), "1", "10.00", customer_id="10")
    with django_assert_num_queries(3):
        groups = findings.miscoded_transactions(books)
    assert len(groups) == 30


def test_orphan_check_finds_projects_with_an_inactive_or_missing_customer_record(books):
    project(books, "40", "Attic", "10")  # no customer record for the project at all
    customer(books, "41", "Garage", parent="10", job=True, is_project=True, active=False)
    project(books, "41", "Garage", "10")
    customer(books, "50", "Gone Ltd", active=False)
    customer(books, "51", "Shed", parent="50", job=True, is_project=True)
    project(books, "51", "Shed", "50")
    line(books, "701", "1", "30.00", customer_id="51", project_id="51", tagged_by=TaggedBy.PROJECT_REF)

    found = {p.qbo_id: p for p in findings.health(books).orphans}

    assert set(found) == {"40", "41", "51"}
    assert (found["40"].record_state, found["41"].record_state, found["51"].record_state) == (
        "missing",
        "inactive",
        "active",
    )
    assert found["51"].parent_state == "inactive" and found["40"].parent_state == "active"
    assert found["51"].cost_to_date == Decimal("30.00")


def test_a_company_with_clean_books_has_no_problems(books):
    line(books, "801", "1", "10.00", customer_id="11", project_id="11", tagged_by=TaggedBy.PROJECT_REF)
    ReferenceRecord.objects.filter(company=books, qbo_id="12").update(is_project=True)

    assert findings.health(books).problems == 0


# --- The demo company (Harbor Build Co.) -------------------------------------------------------------------


@pytest.fixture
def demo_books(company):
    """The demo realm's customers and transactions, ingested in-process as the sync engine does."""
    demo.seed_demo()
    docs = defaultdict(list)
    realm = Realm.objects.get(realm_id=demo.DEMO_REALM_ID)
    for row in Entity.objects.filter(realm=realm, deleted=False).order_by("type", "qbo_id"):
        docs[row.type].append(public(row.document))  # as the sandbox's REST answers show them
    ingest_references(company, docs["Customer"], entity="Customer")  # its hook makes the project rows
    for txn_type in TXN_TYPES:
        ingest_ledger(txn_type, company, docs[txn_type])
    return company, docs


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_on_the_demo_books_each_check_finds_exactly_its_cases(demo_books):
    company, docs = demo_books
    bill = next(d for d in docs["Bill"] if d["DocNumber"] == demo.MISCODED_DOC_NUMBER)
    kitchen = Project.objects.get(company=company, fully_qualified_name="Okafor Residence:Kitchen Remodel")

    found = findings.health(company)

    assert [c.fully_qualified_name for c in found.lookalikes] == ["Okafor Residence:Basement Waterproofing"]
    assert [(g.txn_type, g.txn_qbo_id) for g in found.miscoded] == [("Bill", bill["Id"])]
    assert found.miscoded[0].amount == Decimal("486.20")
    assert found.miscoded[0].suggested == kitchen
    assert found.orphans == []
