"""`manage.py check --deploy`: QuickBooks settings a production deployment must make itself."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def quickbooks_deploy_settings(app_configs, **kwargs):
    problems = []
    if not settings.QBO_TOKEN_KEYS:
        problems.append(
            Warning(
                "QBO_TOKEN_KEYS is not set: OAuth tokens are encrypted with a key derived from SECRET_KEY.",
                hint="Set QBO_TOKEN_KEYS to Fernet keys (Fernet.generate_key()); prepend a new one to rotate.",
                id="costline.W001",
            )
        )
    if not settings.QBO_CLIENT_ID or not settings.QBO_CLIENT_SECRET:
        problems.append(
            Warning(
                "QBO_CLIENT_ID / QBO_CLIENT_SECRET are not set: no company can connect to QuickBooks.",
                hint="Use the production keys of your app on the Intuit Developer portal.",
                id="costline.W002",
            )
        )
    if not settings.QBO_WEBHOOK_VERIFIER:
        problems.append(
            Warning(
                "QBO_WEBHOOK_VERIFIER is not set: every QuickBooks webhook is refused as unsigned, so changes made in "
                "QuickBooks reach Costline only with the next scheduled pull.",
                hint="Copy the verifier token of your app's webhooks from the Intuit Developer portal.",
                id="costline.W004",
            )
        )
    if settings.QBO_SANDBOX_URL and not settings.DEBUG:
        problems.append(
            Warning(
                "QBO_SANDBOX_URL points QuickBooks calls at the local simulator.",
                hint="Unset it in production.",
                id="costline.W003",
            )
        )
    return problems
