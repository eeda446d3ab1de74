"""The dashboard's choice filters render through `QuickSelect`, which must write Django's <select> to the byte."""

import pytest
from django import forms
from django.http import QueryDict
from django.utils.safestring import mark_safe

from projects.models import Project
from reports.dashboard import DashboardFilter, QuickSelect

CHOICES = [
    ("", "Any customer"),
    ("58", 'Okafor & Sons <"Residence">'),
    ("59", "Zoë's Bakery"),
    (60, mark_safe("<b>kept as marked safe</b>")),  # noqa: S308 - a test of escaping
    ("61", "x" * 300),
]
GROUPED = [("Okafor & Sons", [("1", "Kitchen"), ("2", "Bath")]), ("3", "Deck"), ("", "None")]
ATTRS = [None, {"id": "id_customer"}, {"id": "id_x", "required": True, "disabled": False, "data-note": 'say "hi" & go'}]


@pytest.mark.parametrize("choices", [CHOICES, GROUPED, []])
@pytest.mark.parametrize("value", [None, "", "58", 60, "2", "not a choice", ["58"]])
@pytest.mark.parametrize("attrs", ATTRS)
def test_quick_select_writes_djangos_select_to_the_byte(choices, value, attrs):
    expected = forms.Select(choices=choices).render("customer", value, attrs)

    assert QuickSelect(choices=choices).render("customer", value, attrs) == expected


@pytest.mark.django_db
def test_the_dashboards_choice_filters_render_as_django_would(company):
    for n in range(40):
        Project.objects.create(
            company=company, qbo_id=str(n), name=f"P{n}", customer_qbo_id=str(n % 9), customer_name=f"C & {n % 9}"
        )
    form = DashboardFilter(QueryDict("customer=3&priority=2&type="), company=company).form

    for name in ("customer", "type", "priority"):
        field = form[name]
        assert isinstance(field.field.widget, QuickSelect)
        django = forms.Select(choices=field.field.choices)
        assert str(field) == django.render(
            field.html_name, field.value(), field.build_widget_attrs({"id": field.auto_id})
        )
