"""Celery is wired for real: tasks are found, the beat schedule names real tasks, a worker runs them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from quickbooks.models import Invitation
from quickbooks.tasks import purge_expired_invitations
from tests.e2e.conftest import wait_until
from tests.factories import InvitationFactory


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled, "the beat schedule is empty"
    assert scheduled <= set(celery_app.tasks)


@pytest.mark.worker
def test_a_real_worker_runs_a_task_against_the_database(celery_worker):
    expired = InvitationFactory(created=timezone.now() - timedelta(days=30))
    fresh = InvitationFactory()

    purge_expired_invitations.delay()

    assert wait_until(lambda: not Invitation.objects.filter(pk=expired.pk).exists())
    assert Invitation.objects.filter(pk=fresh.pk).exists()
