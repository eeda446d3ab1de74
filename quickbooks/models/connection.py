"""The OAuth grant behind a company's connection to QuickBooks."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..crypto import EncryptedTextField
from .tenancy import Company


class Connection(models.Model):
    """The OAuth grant that lets Costline call QuickBooks for one company. Tokens are encrypted at rest."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="connection")
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    refresh_count = models.PositiveIntegerField(default=0)
    # What the company's plan and the grant allow, read after connecting (see quickbooks.capabilities).
    capabilities = models.JSONField(default=dict, blank=True)
    capabilities_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"QuickBooks connection of {self.company}"

    def access_token_fresh(self, ahead_seconds: int = 0) -> bool:
        """Whether the access token is good for at least `ahead_seconds` more."""
        if not self.access_token or self.access_expires_at is None:
            return False
        return self.access_expires_at > timezone.now() + timedelta(seconds=ahead_seconds)

    def can(self, capability: str) -> bool:
        return bool(self.capabilities.get(capability))
