"""Every number a person types gets Costline's own words when it is too large, too precise or not a number, never
Django's default wording ("Ensure that there are no more than 20 digits in total.")."""

import pytest
from django import forms

from changeorders.forms import ChangeOrderLineForm
from projects.documents.forms import LineForm, References
from projects.project.forms import ProjectForm

HOSTILE = ["1" * 40, "9" * 25 + ".5", "1e30", "-1e30", "0.000000001", "12,34,5", "NaN", "Infinity"]
DJANGO_WORDING = ("Ensure that", "Enter a number", "Enter a whole number")


def numeric_fields(form_class):
    return [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DecimalField | forms.IntegerField)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [LineForm, ChangeOrderLineForm])
@pytest.mark.parametrize("value", HOSTILE)
def test_line_numbers_are_refused_in_costlines_words(company, form_class, value):
    fields = numeric_fields(form_class)
    assert fields == ["qty", "unit_price", "unit_cost"]
    form = form_class({name: value for name in fields}, references=References(company))
    form.is_valid()
    for name in fields:
        assert form.errors.get(name), (name, value)  # refused, never taken
        for message in form.errors[name]:
            assert not message.startswith(DJANGO_WORDING), (name, value, message)


@pytest.mark.parametrize("value", HOSTILE)
def test_project_numbers_are_refused_in_costlines_words(value):
    fields = numeric_fields(ProjectForm)
    assert set(fields) == {"priority", "completion_rate"}
    for name in fields:
        field = ProjectForm.base_fields[name]
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(value)
        for message in refused.value.messages:
            assert not message.startswith(DJANGO_WORDING), (name, value, message)
