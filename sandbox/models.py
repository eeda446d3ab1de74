"""The simulator's state: companies (realms), their QuickBooks objects, OAuth grants, and test controls.

Every QuickBooks object (REST entity) is one `Entity` row holding the JSON document QuickBooks would
return, plus a few indexed columns copied out of it so that queries over 100,000 transactions stay fast.
"""

from django.db import models
from django.utils import timezone

from . import codec


class Realm(models.Model):
    """One simulated QuickBooks company."""

    class Plan(models.TextChoices):
        ADVANCED = "advanced", "QuickBooks Online Advanced"  # projects, estimates, change orders, budgets
        PLUS = "plus", "QuickBooks Online Plus"  # projects exist; premium Projects/Budgets APIs, change orders do not

    realm_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    plan = models.CharField(max_length=16, choices=Plan, default=Plan.ADVANCED)
    country = models.CharField(max_length=2, default="US")
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.name} ({self.realm_id})"

    @property
    def has_premium_apis(self) -> bool:
        return self.plan == self.Plan.ADVANCED


class JSONDocument(models.Model):
    """A QuickBooks object kept as the JSON QuickBooks returns, money exact (see `codec`)."""

    document_json = models.TextField(default="{}")

    class Meta:
        abstract = True

    @property
    def document(self) -> dict:
        return codec.loads(self.document_json)

    @document.setter
    def document(self, value: dict) -> None:
        self.document_json = codec.dumps(value)


class Entity(JSONDocument):
    """One QuickBooks object of any type, as the JSON QuickBooks returns (`document`)."""

    realm = models.ForeignKey(Realm, on_delete=models.CASCADE, related_name="entities")
    type = models.CharField(max_length=40)  # Intuit's entity name: "Customer", "Estimate", "ChangeOrder"...
    qbo_id = models.BigIntegerField()
    sync_token = models.IntegerField(default=0)
    # Copies of document fields, for indexed filtering and ordering.
    name = models.CharField(max_length=500, blank=True)  # DisplayName / Name / DocNumber
    txn_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False)  # hard-deleted in QBO terms; kept for CDC's "Deleted" stubs
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # A project Customer's fields that the Projects GraphQL API filters and orders on (`sandbox.store`
    # copies them as `sandbox.graphql.projects.node` reads them), so a page of projects is one indexed query.
    is_project = models.BooleanField(default=False)
    project_customer = models.TextField(null=True, blank=True)  # ParentRef.value
    project_status = models.TextField(null=True, blank=True)
    project_type = models.TextField(null=True, blank=True)
    project_priority = models.IntegerField(null=True, blank=True)
    project_due = models.TextField(null=True, blank=True)  # DateTime as stored: 2024-08-22T00:00:00.000Z
    project_start = models.TextField(null=True, blank=True)
    project_deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["realm", "type", "qbo_id"], name="sandbox_entity_unique_id")]
        indexes = [
            models.Index(fields=["realm", "type", "deleted", "qbo_id"], name="sandbox_entity_by_id"),
            models.Index(fields=["realm", "type", "updated_at"], name="sandbox_entity_by_updated"),
            models.Index(fields=["realm", "type", "txn_date"], name="sandbox_entity_by_date"),
            models.Index(fields=["realm", "type", "name"], name="sandbox_entity_by_name"),
            models.Index(  # projects only: a page of them in id order reads just its rows
                fields=["realm", "type", "qbo_id"], condition=models.Q(is_project=True), name="sandbox_entity_projects"
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.qbo_id} in {self.realm_id}"


class GraphObject(JSONDocument):
    """Objects only the GraphQL APIs know (project budgets and their lines), as JSON documents."""

    realm = models.ForeignKey(Realm, on_delete=models.CASCADE, related_name="graph_objects")
    type = models.CharField(max_length=40)  # "Budget", ...
    object_id = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["realm", "type", "object_id"], name="sandbox_graph_object_unique_id")
        ]

    def __str__(self):
        return f"{self.type} {self.object_id} in {self.realm_id}"


class Counter(models.Model):
    """Per-realm id sequences (QuickBooks ids are small integers, unique per entity type)."""

    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    name = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["realm", "name"], name="sandbox_counter_unique")]

    def __str__(self):
        return f"{self.name} = {self.value}"


class OAuthGrant(models.Model):
    """An app's authorization for one realm: an authorization code, then access and refresh tokens."""

    realm = models.ForeignKey(Realm, on_delete=models.CASCADE, related_name="grants")
    client_id = models.CharField(max_length=200)
    scopes = models.CharField(max_length=500)
    redirect_uri = models.CharField(max_length=500)
    code = models.CharField(max_length=100, unique=True, null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    access_token = models.CharField(max_length=200, unique=True, null=True, blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = models.CharField(max_length=200, unique=True, null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Grant {self.pk} for {self.realm_id} ({'revoked' if self.revoked else self.client_id})"


class SupersededRefreshToken(models.Model):
    """Refresh tokens that a rotation replaced: using one again answers `invalid_grant`."""

    grant = models.ForeignKey(OAuthGrant, on_delete=models.CASCADE, related_name="superseded")
    token = models.CharField(max_length=200, unique=True)
    superseded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Superseded refresh token of grant {self.grant_id}"


class RequestReplay(models.Model):
    """The first response to each `requestid`, replayed verbatim when the same id comes again."""

    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    request_id = models.CharField(max_length=50)
    status = models.IntegerField()
    content_type = models.CharField(max_length=100)
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["realm", "request_id"], name="sandbox_request_replay_unique")]

    def __str__(self):
        return f"requestid {self.request_id} in {self.realm_id}"


class WebhookEndpoint(models.Model):
    """Where the simulator POSTs change notifications (Intuit's app webhook settings)."""

    class Format(models.TextChoices):
        LEGACY = "legacy", "Legacy eventNotifications"
        CLOUDEVENTS = "cloudevents", "CloudEvents"

    url = models.URLField(max_length=500, unique=True)
    verifier_token = models.CharField(max_length=200)
    format = models.CharField(max_length=16, choices=Format, default=Format.LEGACY)
    active = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.url} ({self.format})"


class WebhookDelivery(models.Model):
    """Each notification sent (or tried), so tests and people can see what went out."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    body = models.TextField()
    signature = models.CharField(max_length=200)
    status_code = models.IntegerField(null=True)
    error = models.TextField(blank=True)
    attempts = models.IntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Delivery {self.pk} to {self.endpoint_id}: {self.status_code or self.error or 'pending'}"


class FaultRule(models.Model):
    """A fault switched on for tests: fail, throttle, delay or drop the response of the next N requests."""

    class Kind(models.TextChoices):
        ERROR_500 = "500", "Fail with 500"
        THROTTLE_429 = "429", "Throttle with 429"
        DELAY = "delay", "Delay the reply"
        DROP_RESPONSE = "drop", "Commit the write, drop the response"

    kind = models.CharField(max_length=8, choices=Kind)
    remaining = models.IntegerField(default=1)  # requests still to affect
    served = models.IntegerField(default=0)  # requests it has affected: tests check that their fault happened
    delay_seconds = models.FloatField(default=0)
    path_contains = models.CharField(max_length=200, blank=True)  # only requests whose path contains this
    # only requests whose body contains this: one GraphQL mutation among the reads that share its path
    body_contains = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=8, blank=True)  # only this HTTP method ("" = any)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.get_kind_display()} x{self.remaining}"
