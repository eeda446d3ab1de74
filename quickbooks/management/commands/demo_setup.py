"""Create (or refresh) the demo login and the demo company. Safe to run any number of times."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from quickbooks.models import Company, Membership, Role

DEMO_EMAIL = "demo@costline.local"
DEMO_COMPANY = "Harbor Build Co. (demo)"


class Command(BaseCommand):
    help = "Create the demo user (admin of the demo company) and print the login."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=None, help="Defaults to $DEMO_PASSWORD or 'costline-demo'.")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or getattr(settings, "DEMO_PASSWORD", "") or "costline-demo"
        user, _ = User.objects.get_or_create(email=DEMO_EMAIL, defaults={"name": "Dana Demo"})
        user.set_password(password)
        user.is_staff = user.is_superuser = True  # the demo login also opens the admin
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True})
        company, _ = Company.objects.get_or_create(name=DEMO_COMPANY)
        Membership.objects.update_or_create(user=user, company=company, defaults={"role": Role.ADMIN})

        line = "=" * 64
        self.stdout.write(self.style.SUCCESS(line))
        self.stdout.write(self.style.SUCCESS(f"  Costline demo login:  {DEMO_EMAIL}  /  {password}"))
        self.stdout.write(self.style.SUCCESS(f"  Open {settings.SITE_URL}/ and sign in."))
        self.stdout.write(self.style.SUCCESS(line))
