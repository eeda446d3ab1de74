"""Links into QuickBooks' own web app, under `QBO_APP_URL` (Intuit's, its sandbox's, or the local sandbox's)."""

from django.conf import settings


def app_url(path: str = "") -> str:
    """A page of QuickBooks' web app: `app_url("projects")`."""
    return f"{settings.QBO_APP_URL.rstrip('/')}/{path.lstrip('/')}"


def txn_url(txn_type: str, txn_qbo_id: str) -> str:
    """Where QuickBooks shows one transaction."""
    return app_url(f"{txn_type.lower()}?txnId={txn_qbo_id}")
