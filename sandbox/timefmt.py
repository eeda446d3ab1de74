"""Times as Intuit writes them: ISO 8601 with the company's UTC offset, e.g. 2024-06-26T09:20:16-07:00."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

# The demo companies keep Pacific time, as Intuit's own examples do.
COMPANY_TZ = ZoneInfo("America/Los_Angeles")


def intuit_time(moment: datetime) -> str:
    return moment.astimezone(COMPANY_TZ).isoformat(timespec="seconds")


def intuit_now(*, epoch_ms: bool = False):
    now = timezone.now()
    return int(now.timestamp() * 1000) if epoch_ms else intuit_time(now)


def parse_intuit_time(text: str) -> datetime:
    """Accepts what Intuit's clients send: full offsets, `Z`, or a bare date (taken as company midnight)."""
    text = text.strip()
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(tzinfo=COMPANY_TZ)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=COMPANY_TZ)
