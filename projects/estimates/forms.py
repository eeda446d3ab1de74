"""The project estimate form: header, the shared line table (projects.documents.forms), and the status form."""

from ..documents.forms import HeaderForm, LineForm, line_formset


class EstimateForm(HeaderForm):
    date_noun = "estimate"


LineFormSet = line_formset(LineForm, "estimate", "An estimate")
