"""`__any`: the rows `__in` finds, in one array parameter on PostgreSQL and as IN elsewhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quickbooks.models import ReferenceRecord
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    company = CompanyFactory()
    return [
        ReferenceRecord.objects.create(company=company, entity="Customer", qbo_id=str(n), name=f"Customer {n}")
        for n in range(1, 6)
    ]


def _sql_and_ids(queryset) -> tuple[str, set[str]]:
    with CaptureQueriesContext(connection) as queries:
        ids = set(queryset.values_list("qbo_id", flat=True))
    return queries[-1]["sql"], ids


def test_any_finds_what_in_finds_and_postgresql_gets_one_array(records):
    wanted = ["2", "4", "4", "99", None]  # a repeat, an unknown id and a None, as a careless caller may pass
    sql, found = _sql_and_ids(ReferenceRecord.objects.filter(qbo_id__any=wanted))
    assert found == set(ReferenceRecord.objects.filter(qbo_id__in=wanted).values_list("qbo_id", flat=True))
    assert found == {"2", "4"}
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_any_on_a_foreign_key_and_on_primary_keys(records):
    company_id = records[0].company_id
    by_company = ReferenceRecord.objects.filter(company__any=[company_id, company_id + 1000])
    assert by_company.count() == 5
    picked = ReferenceRecord.objects.filter(pk__any=[records[0].pk, records[2].pk])
    assert set(picked.values_list("qbo_id", flat=True)) == {"1", "3"}


def test_any_of_nothing_matches_nothing_without_a_query(records):
    with CaptureQueriesContext(connection) as queries:
        assert list(ReferenceRecord.objects.filter(qbo_id__any=[])) == []
        assert list(ReferenceRecord.objects.filter(qbo_id__any=[None])) == []
    assert len(queries) == 0  # Django's EmptyResultSet: as `__in=[]`
