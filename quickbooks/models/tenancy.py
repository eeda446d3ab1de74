"""Companies (connected QuickBooks realms) and who may see them.

Every view that shows company data starts from `Company.objects.for_user(user)` (through
`quickbooks.access.company_view`), so another tenant's company is simply not found.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    PROJECT_MANAGER = "project_manager", "Project manager"
    ACCOUNTANT = "accountant", "Accountant"
    ADMIN = "admin", "Admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: "Role | str") -> bool:
        """Roles are cumulative: an accountant may do what a project manager may, and so on."""
        return self.rank >= Role(needed).rank


class CompanyQuerySet(models.QuerySet):
    def for_user(self, user):
        """The companies this user is a member of; nothing for an anonymous user."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Company(models.Model):
    """One QuickBooks Online company (a realm) that Costline keeps books for."""

    class Environment(models.TextChoices):
        PRODUCTION = "production", "Production"
        SANDBOX = "sandbox", "Sandbox"

    class ConnectionState(models.TextChoices):
        NOT_CONNECTED = "not_connected", "Not connected"
        CONNECTED = "connected", "Connected"
        NEEDS_REAUTH = "needs_reauth", "Needs reconnecting"
        DISCONNECTED = "disconnected", "Disconnected"

    name = models.CharField(max_length=200)
    realm_id = models.CharField(
        "realm id", max_length=32, blank=True, help_text="QuickBooks company id, recorded when the company connects."
    )
    environment = models.CharField(max_length=16, choices=Environment, default=Environment.SANDBOX)
    connection_state = models.CharField(max_length=16, choices=ConnectionState, default=ConnectionState.NOT_CONNECTED)
    connected_at = models.DateTimeField(null=True, blank=True)
    # The currency QuickBooks keeps the books in (Preferences.CurrencyPrefs.HomeCurrency): every figure is in it.
    home_currency = models.CharField(max_length=3, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "realm_id"],
                condition=~models.Q(realm_id=""),
                name="company_unique_realm_per_environment",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_connected(self) -> bool:
        return self.connection_state == self.ConnectionState.CONNECTED

    def admins(self):
        return self.memberships.filter(role=Role.ADMIN)


class Membership(models.Model):
    """A user's access to one company, with a role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="membership_unique_user_company")]

    def __str__(self):
        return f"{self.user} in {self.company} ({self.get_role_display()})"

    def can(self, needed: Role) -> bool:
        return Role(self.role).allows(needed)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        cutoff = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        return self.filter(accepted_at__isnull=True, created__gte=cutoff)

    def expired(self):
        cutoff = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        return self.filter(accepted_at__isnull=True, created__lt=cutoff)

    def for_email(self, email: str):
        return self.filter(email__iexact=email)


class Invitation(models.Model):
    """An admin's invitation for someone, by email, to join a company with a role."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.email} to {self.company} ({self.get_role_display()})"

    @property
    def expires_at(self):
        return self.created + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and timezone.now() >= self.expires_at
