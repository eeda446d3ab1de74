from django.shortcuts import render

from quickbooks.access import company_view


@company_view()
def dashboard(request, company):
    """The company's home page: every project's figures (empty until projects sync)."""
    return render(request, "projects/dashboard.html", {"company": company})
