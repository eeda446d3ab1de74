from .access import SESSION_KEY
from .links import app_url
from .models import Company


def quickbooks_links(request):
    """Where QuickBooks' own pages are (QBO_APP_URL): templates link to its Projects page."""
    return {"quickbooks_projects_url": app_url("projects")}


def companies(request):
    """The company switcher: the user's companies and the one being looked at."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    current_id = membership.company_id if membership else request.session.get(SESSION_KEY)
    return {
        "user_companies": list(Company.objects.for_user(user).only("id", "name", "connection_state")),
        "current_company": membership.company if membership else None,
        "current_company_id": current_id,
        "current_membership": membership,
    }
