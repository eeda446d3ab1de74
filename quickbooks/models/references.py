"""Local copies of QuickBooks' name lists (customers, items, accounts, ...), one table for all of them."""

from django.db import models

from .sync import SyncedObject

REFERENCE_ENTITIES = ("Customer", "Item", "Account", "Class", "Department", "Employee", "Vendor", "TaxCode", "Term")


class ReferenceQuerySet(models.QuerySet):
    def of(self, entity: str):
        return self.filter(entity=entity)

    def customers(self):
        return self.of("Customer")

    def projects(self):
        """Customers QuickBooks marks IsProject: the projects of the Projects API."""
        return self.customers().filter(is_project=True)

    def active(self):
        return self.filter(active=True)


class ReferenceRecord(SyncedObject):
    """One name-list entry as QuickBooks last sent it; the document itself is in `qbo_document`."""

    entity = models.CharField(max_length=20)
    name = models.CharField(max_length=500, blank=True)
    fully_qualified_name = models.CharField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)
    parent_qbo_id = models.CharField(max_length=32, blank=True)
    is_project = models.BooleanField(default=False)
    is_job = models.BooleanField(default=False)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "entity", "qbo_id"], name="reference_unique_qbo_id"),
        ]
        indexes = [models.Index(fields=["company", "entity", "name"], name="reference_by_name")]

    def __str__(self):
        return f"{self.entity} {self.fully_qualified_name or self.name} ({self.qbo_id})"
