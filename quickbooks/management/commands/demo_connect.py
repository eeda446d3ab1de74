"""Connect the demo company to QuickBooks without a browser, then queue its first sync.

Uses OpenID Connect's `prompt=none`: the authorization server answers with a code at once when the
user has consented before (the local sandbox is started with that consent for its demo company), or
with `consent_required`, in which case the demo user connects from the QuickBooks page instead.
"""

import time
from urllib.parse import parse_qsl, urlsplit

import requests
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from quickbooks import connections
from quickbooks.client import QuickBooksError
from quickbooks.client.endpoints import endpoints
from quickbooks.management.commands.demo_setup import DEMO_COMPANY, DEMO_EMAIL
from quickbooks.models import Company
from quickbooks.sync.dispatch import PULL_TASK, send_task


class Command(BaseCommand):
    help = "Connect the demo company to QuickBooks (prompt=none) and queue its first sync."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=0, help="Seconds to wait for QuickBooks to answer.")

    def handle(self, *args, wait=0, **options):
        company = Company.objects.get(name=DEMO_COMPANY)
        if company.is_connected:
            self.stdout.write(f"{company} is already connected to QuickBooks.")
            send_task(PULL_TASK, company.pk, full=False)  # catch up with what changed while it was down
        else:
            self._wait_for_quickbooks(wait)
            self._connect(company, User.objects.get(email=DEMO_EMAIL))  # connecting queues the first sync
            company.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(f"{company} is connected; a sync is queued."))

    def _wait_for_quickbooks(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while True:
            try:
                requests.get(endpoints().authorize, timeout=2)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise CommandError(f"QuickBooks does not answer at {endpoints().authorize}.") from None
                time.sleep(0.5)

    def _connect(self, company, user) -> None:
        session: dict = {}
        url = connections.connection_start(session=session, company=company, prompt="none")
        answer = requests.get(url, allow_redirects=False, timeout=10)
        params = dict(parse_qsl(urlsplit(answer.headers.get("Location", "")).query))
        if "code" not in params:
            raise CommandError(
                f"QuickBooks did not approve silently ({params.get('error', answer.status_code)}); "
                "connect the demo company from its QuickBooks page instead."
            )
        try:
            connections.connection_complete(
                session=session, user=user, state=params["state"], code=params["code"], realm_id=params["realmId"]
            )
        except QuickBooksError as error:
            raise CommandError(error.user_message) from error
