"""Wiping and seeding the sandbox, shared by POST /_sandbox/reset and `manage.py qbo_sandbox`."""

import importlib
import os

from django.db import transaction

from .. import events
from ..gateway import limiter
from ..models import (
    Counter,
    Entity,
    FaultRule,
    GraphObject,
    OAuthGrant,
    Realm,
    RequestReplay,
    SupersededRefreshToken,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..oauth.conf import conf
from ..webhooks import dispatcher

# Children before parents, so each delete is one fast statement (no cascade collection over 100k rows).
MODELS_IN_DELETE_ORDER = [
    WebhookDelivery,
    WebhookEndpoint,
    FaultRule,
    SupersededRefreshToken,
    RequestReplay,
    OAuthGrant,
    Entity,
    GraphObject,
    Counter,
    Realm,
]


def wipe() -> None:
    """Every company, object, grant, fault, webhook and counter: gone."""
    dispatcher.clear()
    with transaction.atomic(using="sandbox"):
        for model in MODELS_IN_DELETE_ORDER:
            model.objects.all().delete()
    limiter.reset()
    events.forget()


def seed() -> str:
    """Seed the demo companies with `sandbox.demo.seed_demo()` when that module exists; says what happened."""
    try:
        demo = importlib.import_module("sandbox.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "sandbox.demo":
            raise
        return "sandbox.demo is not available yet: no demo companies were seeded"
    demo.seed_demo()
    return "seeded by sandbox.demo.seed_demo()"


def register_env_webhook() -> WebhookEndpoint | None:
    """The endpoint named by QBO_SANDBOX_WEBHOOK_URL (and _FORMAT), so a demo needs no extra call."""
    url = os.environ.get("QBO_SANDBOX_WEBHOOK_URL", "").strip()
    if not url:
        return None
    endpoint, _ = WebhookEndpoint.objects.update_or_create(
        url=url,
        defaults={
            "format": os.environ.get("QBO_SANDBOX_WEBHOOK_FORMAT", WebhookEndpoint.Format.LEGACY),
            "verifier_token": conf().webhook_verifier,
            "active": True,
        },
    )
    return endpoint


def reset() -> str:
    wipe()
    message = seed()
    dispatcher.clear()  # the seed's own changes are the starting point, not news for webhooks
    register_env_webhook()
    return message
