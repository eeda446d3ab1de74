"""Start tracking a QuickBooks project budget by its id.

The Budgets API has no query that lists budgets (docs/quickbooks-api.md, Budgets): Costline knows the budgets it
created and the ones it is told about. This tells it about one; every later pull keeps it current.
"""

from django.core.management.base import BaseCommand, CommandError

from budgets.sync import adopt_budget
from quickbooks.client import QuickBooksClient, QuickBooksError
from quickbooks.models import Company


class Command(BaseCommand):
    help = "Track a QuickBooks project budget by id for a connected company."

    def add_arguments(self, parser):
        parser.add_argument("company", help="The Costline company's name.")
        parser.add_argument("budget_ids", nargs="+", help="QuickBooks budget ids.")

    def handle(self, *args, company, budget_ids, **options):
        found = Company.objects.filter(name=company, connection_state=Company.ConnectionState.CONNECTED).first()
        if found is None:
            raise CommandError(f"No connected company is named {company!r}.")
        client = QuickBooksClient.for_company(found)
        for budget_id in budget_ids:
            try:
                budget = adopt_budget(found, budget_id, client)
            except (LookupError, QuickBooksError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(self.style.SUCCESS(f"Tracking budget {budget_id} ({budget.name}) for {found}."))
