"""The one way a view reaches company data.

`company_view` looks the company up among the signed-in user's own companies: another tenant's
company id is a 404 (its existence is not revealed), a member whose role is too low gets a 403.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Membership, Role

SESSION_KEY = "current_company_id"


def get_membership_or_404(user, company_id) -> Membership:
    """The user's membership in this company, with the company, in one query; 404 when they have none."""
    return get_object_or_404(Membership.objects.select_related("company"), user=user, company_id=company_id)


def company_view(min_role: Role = Role.VIEWER):
    """Decorate a view taking `company_id`: it receives `company`, and `request.membership` is set."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, company_id, *args, **kwargs):
            membership = get_membership_or_404(request.user, company_id)
            if not membership.can(min_role):
                raise PermissionDenied(
                    f"This needs the {Role(min_role).label.lower()} role in {membership.company}; "
                    f"you are a {membership.get_role_display().lower()}."
                )
            request.membership = membership
            if request.session.get(SESSION_KEY) != membership.company_id:
                # Only when it changes: any assignment marks the session modified, and a modified session is
                # written back to the database at the end of every request that shows this company.
                request.session[SESSION_KEY] = membership.company_id
            return view(request, membership.company, *args, **kwargs)

        return wrapper

    return decorator
