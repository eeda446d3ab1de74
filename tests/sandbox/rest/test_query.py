"""The query endpoint: language, paging, defaults and faults (docs/quickbooks-api.md, Queries)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sandbox.models import Entity
from sandbox.rest.query import parse
from sandbox.timefmt import intuit_time

from .conftest import body_of, fault_of

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]


def rows(api, statement):
    response = api.query(statement)
    assert response.status_code == 200, response.content
    return body_of(response)["QueryResponse"]


@pytest.fixture
def customers(api):
    names = ["Alder Homes", "Birch & Co", "Cedar O'Neil", "Dogwood Ltd", "Elm Street"]
    made = [api.create("customer", {"DisplayName": name, "CompanyName": name.upper()}) for name in names]
    api.create("customer", {"Id": made[4]["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    return made


def test_select_star_answers_entities_with_paging_fields(api, customers):
    result = rows(api, "select * from Customer")
    assert [c["DisplayName"] for c in result["Customer"]] == [
        "Alder Homes",
        "Birch & Co",
        "Cedar O'Neil",
        "Dogwood Ltd",
    ]
    assert result["startPosition"] == 1 and result["maxResults"] == 4


def test_name_lists_default_to_active_only(api, customers):
    assert len(rows(api, "SELECT * FROM Customer WHERE Active IN (true, false)")["Customer"]) == 5
    assert [c["DisplayName"] for c in rows(api, "SELECT * FROM Customer WHERE Active = false")["Customer"]] == [
        "Elm Street"
    ]


def test_count_returns_total_count(api, customers):
    assert rows(api, "SELECT COUNT(*) FROM Customer") == {"totalCount": 4}


def test_empty_result_is_an_empty_query_response(api, customers):
    assert rows(api, "SELECT * FROM Customer WHERE DisplayName = 'Nobody'") == {}


def test_strings_escape_quotes_with_backslash(api, customers):
    result = rows(api, r"SELECT * FROM Customer WHERE DisplayName = 'Cedar O\'Neil'")
    assert [c["DisplayName"] for c in result["Customer"]] == ["Cedar O'Neil"]


def test_like_supports_percent_on_indexed_and_document_fields(api, customers):
    assert [c["DisplayName"] for c in rows(api, "select * from Customer where DisplayName LIKE '%o%'")["Customer"]] == [
        "Alder Homes",
        "Birch & Co",
        "Cedar O'Neil",
        "Dogwood Ltd",
    ]
    assert [
        c["DisplayName"] for c in rows(api, "select * from Customer where CompanyName LIKE 'B%CO'")["Customer"]
    ] == ["Birch & Co"]


def test_orderby_startposition_and_maxresults_page_the_result(api, customers):
    result = rows(api, "select * from Customer ORDERBY DisplayName DESC STARTPOSITION 2 MAXRESULTS 2")
    assert [c["DisplayName"] for c in result["Customer"]] == ["Cedar O'Neil", "Birch & Co"]
    assert result["startPosition"] == 2 and result["maxResults"] == 2


def test_order_by_a_document_field_sorts_in_python(api, customers):
    result = rows(api, "select * from Customer orderby CompanyName desc maxresults 1")
    assert result["Customer"][0]["DisplayName"] == "Dogwood Ltd"


def test_id_in_and_comparisons(api, customers):
    ids = [customers[0]["Id"], customers[2]["Id"]]
    result = rows(api, f"select * from Customer where Id IN ('{ids[0]}', '{ids[1]}')")  # noqa: S608 - QBO query
    assert [c["Id"] for c in result["Customer"]] == ids


def test_reference_fields_and_txn_dates_filter_transactions(api, seeded):
    line = {
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "2"}, "Qty": 1, "UnitPrice": 10},
    }
    for customer, day in (("1", "2024-01-05"), ("2", "2024-02-05"), ("1", "2024-03-05")):
        api.create("invoice", {"CustomerRef": {"value": customer}, "TxnDate": day, "Line": [line]})
    result = rows(api, "select * from Invoice where CustomerRef = '1' and TxnDate >= '2024-02-01'")
    assert [i["TxnDate"] for i in result["Invoice"]] == ["2024-03-05"]
    assert len(rows(api, "select * from Invoice where TotalAmt = '10' and CustomerRef IN ('1', '2')")["Invoice"]) == 3
    assert rows(api, "select * from Invoice where TotalAmt = '10.01'") == {}
    result = rows(api, "select * from Invoice where TotalAmt > '5' orderby TxnDate desc")
    assert [i["TxnDate"] for i in result["Invoice"]] == ["2024-03-05", "2024-02-05", "2024-01-05"]


def test_last_updated_time_filters_by_the_second(api, customers):
    first = customers[0]["MetaData"]["LastUpdatedTime"]
    statement = f"select * from Customer where MetaData.LastUpdatedTime >= '{first}'"  # noqa: S608 - QBO query
    assert len(rows(api, statement)["Customer"]) == 4
    later = intuit_time(timezone.now() + timedelta(minutes=5))
    assert rows(api, f"select * from Customer where MetaData.LastUpdatedTime > '{later}'") == {}  # noqa: S608


def test_query_by_post_with_application_text_body(api, customers):
    response = api.client.post(
        api.url("query"), data="select count(*) from Customer", content_type="application/text", **api.headers
    )
    assert body_of(response)["QueryResponse"] == {"totalCount": 4}


def test_maxresults_over_1000_is_a_query_validation_error(api):
    response = api.query("select * from Customer maxresults 1500")
    assert response.status_code == 400
    assert fault_of(response)["Detail"] == "QueryValidationError: value 1500 is too large. Max allowed value is 1000"


@pytest.mark.parametrize(
    "statement",
    [
        "select from Customer",
        "select * from Customer where Name = 'a' OR Id = '1'",
        "select * Customer",
        "select * from Customer where Id ~ 3",
        "",
    ],
)
def test_malformed_query_is_a_parser_error(api, statement):
    response = api.query(statement)
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "4000" and error["Message"] == "Error parsing query"
    assert error["Detail"].startswith("QueryParserError: ")


def test_odd_literals_do_not_break_the_prefilter(api, customers):
    assert rows(api, "select * from Customer where CompanyName = 'NaN'") == {}
    assert rows(api, "select * from Customer where CompanyName IN ('Infinity', '-1', 'BIRCH & CO')")["maxResults"] == 1


def test_parser_reads_every_clause():
    query = parse(
        "SELECT * FROM Invoice WHERE TxnDate > '2024-01-01' AND DocNumber LIKE 'A%' "
        "ORDER BY TxnDate DESC STARTPOSITION 3 MAXRESULTS 7"
    )
    assert query.entity == "Invoice" and [c.op for c in query.where] == [">", "LIKE"]
    assert query.order == [("TxnDate", True)] and (query.start, query.max_results) == (3, 7)


def test_paging_through_thousands_of_bulk_rows_is_exact(api, realm):
    """A few thousand bulk-inserted invoices: SQL paging must return every row once, in order."""
    start, moment = date(2024, 1, 1), timezone.now()
    Entity.objects.bulk_create(
        [
            Entity(
                realm=realm,
                type="Invoice",
                qbo_id=n,
                name=f"INV-{n:05d}",
                txn_date=start + timedelta(days=n % 400),
                created_at=moment,
                updated_at=moment,
                document_json=f'{{"Id":"{n}","DocNumber":"INV-{n:05d}","TxnDate":"'
                f'{(start + timedelta(days=n % 400)).isoformat()}","TotalAmt":{n}.00}}',
            )
            for n in range(1, 3501)
        ],
        batch_size=500,
    )
    seen = []
    for position in range(1, 3501, 1000):
        page = rows(api, f"select * from Invoice startposition {position} maxresults 1000")  # noqa: S608
        seen += [int(doc["Id"]) for doc in page["Invoice"]]
    assert seen == list(range(1, 3501))
    # Days 0-9: eight rows fall on day 0 (n = 400, 800...) and nine on each of days 1-9.
    assert rows(api, "select count(*) from Invoice where TxnDate < '2024-01-11'") == {"totalCount": 89}
    by_date = rows(api, "select * from Invoice where TxnDate = '2024-02-01' orderby DocNumber desc maxresults 3")
    assert [doc["DocNumber"] for doc in by_date["Invoice"]] == ["INV-03231", "INV-02831", "INV-02431"]
    mixed = rows(api, "select * from Invoice where DocNumber like 'INV-001%' and TotalAmt >= '150' maxresults 1000")
    assert [int(doc["Id"]) for doc in mixed["Invoice"]] == list(range(150, 200))
