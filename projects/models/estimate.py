"""A QuickBooks Estimate and its lines; a project estimate when it carries a ProjectRef."""

from django.db import models
from django.urls import reverse

from quickbooks.models.fields import unique_qbo_id

from .project import Project
from .sales import SalesDocument, SalesDocumentManager, SalesLine


class Estimate(SalesDocument):
    """A QuickBooks Estimate; a project estimate when it carries a ProjectRef."""

    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="estimates")

    objects = SalesDocumentManager()

    class Meta:
        ordering = ["-txn_date", "-id"]
        constraints = [unique_qbo_id("estimate_unique_qbo_id")]
        indexes = [models.Index(fields=["company", "project_qbo_id"], name="estimate_by_project")]

    def get_absolute_url(self) -> str | None:
        """Its page is under its project; an estimate that names no project here has none."""
        if self.project_id is None:
            return None
        return reverse("projects:estimate-detail", args=[self.company_id, self.project_id, self.pk])


class EstimateLine(SalesLine):
    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["estimate", "line_num", "id"]
