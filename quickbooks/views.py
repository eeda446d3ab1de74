from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import connections, services
from .access import SESSION_KEY, company_view
from .client import QuickBooksError
from .forms import InvitationForm, MembershipRoleForm
from .models import Company, Connection, Invitation, Role


@login_required
def home(request):
    """Straight to the company last looked at; the company list when there is a choice to make."""
    companies = Company.objects.for_user(request.user)
    if Invitation.objects.pending().for_email(request.user.email).exists():
        return redirect("quickbooks:company-list")
    last = companies.filter(pk=request.session.get(SESSION_KEY)).first() or companies.first()
    if last is None:
        return redirect("quickbooks:company-list")
    return redirect("reports:dashboard", company_id=last.pk)


@login_required
def company_list(request):
    memberships = request.user.memberships.select_related("company")
    invitations = Invitation.objects.pending().for_email(request.user.email).select_related("company", "invited_by")
    return render(request, "quickbooks/company_list.html", {"memberships": memberships, "invitations": invitations})


@company_view()
def members(request, company):
    form = InvitationForm()
    if request.method == "POST":
        if not request.membership.can(Role.ADMIN):
            raise PermissionDenied("Only an admin of this company can invite people.")
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_send(
                    company=company,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                messages.success(request, f"Invitation sent to {invitation.email} as {invitation.get_role_display()}.")
                return redirect("quickbooks:members", company_id=company.pk)
    context = {
        "company": company,
        "memberships": company.memberships.select_related("user").order_by("user__email"),
        "invitations": company.invitations.pending().select_related("invited_by"),
        "form": form,
        "roles": Role.choices,
        "is_admin": request.membership.can(Role.ADMIN),
    }
    return render(request, "quickbooks/members.html", context, status=400 if form.errors else 200)


@require_POST
@company_view(min_role=Role.ADMIN)
def member_role(request, company, membership_id):
    membership = get_object_or_404(company.memberships.select_related("user", "company"), pk=membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["role"][0]))
        return redirect("quickbooks:members", company_id=company.pk)
    try:
        services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} is now a {membership.get_role_display().lower()}.")
    return redirect("quickbooks:members", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ADMIN)
def member_remove(request, company, membership_id):
    membership = get_object_or_404(company.memberships.select_related("user", "company"), pk=membership_id)
    if not _confirmed(request):
        return _confirm(
            request,
            title=f"Remove {membership.user} from {company}?",
            explanation=f"{membership.user} ({membership.get_role_display().lower()}) will no longer see or change "
            f"anything of {company}. Nothing they did is undone; an admin can invite them again.",
            button="Remove member",
            cancel=reverse("quickbooks:members", args=[company.pk]),
        )
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} no longer has access to {company}.")
    return redirect("quickbooks:members", company_id=company.pk)


def _confirmed(request) -> bool:
    """Actions that lose access or data ask first: the button posts without `confirmed`, the confirmation with it."""
    return request.POST.get("confirmed") == "1"


def _confirm(request, **context):
    return render(request, "confirm.html", {**context, "action": request.path})


@require_POST
@company_view(min_role=Role.ADMIN)
def invitation_revoke(request, company, invitation_id):
    invitation = get_object_or_404(company.invitations.filter(accepted_at__isnull=True), pk=invitation_id)
    invitation.delete()
    messages.success(request, f"The invitation for {invitation.email} is withdrawn.")
    return redirect("quickbooks:members", company_id=company.pk)


@login_required
def invitation_accept(request, token):
    """GET shows what accepting means; POST accepts (or declines)."""
    invitation = get_object_or_404(Invitation.objects.select_related("company", "invited_by"), token=token)
    if request.method == "POST":
        if request.POST.get("decline"):
            if invitation.accepted_at is None and invitation.email.lower() == request.user.email.lower():
                invitation.delete()
                messages.info(request, f"You declined the invitation to {invitation.company}.")
            return redirect("quickbooks:company-list")
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, error.message)
            return redirect("quickbooks:company-list")
        role = membership.get_role_display().lower()
        messages.success(request, f"Welcome to {membership.company}. You are a {role}.")
        return redirect("reports:dashboard", company_id=membership.company_id)
    return render(request, "quickbooks/invitation_accept.html", {"invitation": invitation})


@company_view()
def connection(request, company):
    """What Costline knows of the company's QuickBooks connection; admins connect and disconnect here."""
    context = {
        "company": company,
        "connection": Connection.objects.filter(company=company).first(),
        "is_admin": request.membership.can(Role.ADMIN),
    }
    return render(request, "quickbooks/connection.html", context)


@require_POST
@company_view(min_role=Role.ADMIN)
def connect(request, company):
    return redirect(connections.connection_start(session=request.session, company=company))


@require_POST
@login_required
def connect_new(request):
    """Connect a QuickBooks company Costline does not know yet; the user becomes its admin."""
    return redirect(connections.connection_start(session=request.session, company=None))


@login_required
def callback(request):
    """Intuit redirects here after consent: ?code&state&realmId, or ?error=access_denied."""
    params = request.GET
    if params.get("error"):
        request.session.pop(connections.SESSION_KEY, None)
        messages.warning(request, "QuickBooks was not connected: the request was declined on the QuickBooks page.")
        return redirect("home")
    try:
        company = connections.connection_complete(
            session=request.session,
            user=request.user,
            state=params.get("state", ""),
            code=params.get("code", ""),
            realm_id=params.get("realmId", ""),
        )
    except (ValidationError, Company.DoesNotExist) as error:
        messages.error(
            request, error.message if isinstance(error, ValidationError) else "That company is not yours to connect."
        )
        return redirect("home")
    except QuickBooksError as error:
        messages.error(request, f"QuickBooks could not be connected. {error.user_message}")
        return redirect("home")
    messages.success(request, f"{company} is connected to QuickBooks. Its first sync has started: this page shows it.")
    return redirect("quickbooks:sync-status", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ADMIN)
def disconnect(request, company):
    if not _confirmed(request):
        return _confirm(
            request,
            title=f"Disconnect {company} from QuickBooks?",
            explanation="Costline gives back its access at Intuit and stops syncing: nothing more is pulled, and "
            "changes made here wait until the company is connected again. Its data in Costline is kept, and "
            "nothing in QuickBooks changes.",
            button="Disconnect",
            cancel=reverse("quickbooks:connection", args=[company.pk]),
        )
    connections.connection_disconnect(company=company)
    messages.success(request, f"{company} is disconnected from QuickBooks. Its data in Costline is kept.")
    return redirect("quickbooks:connection", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ADMIN)
def recheck(request, company):
    """Ask QuickBooks again what the company can do (after a plan change, say)."""
    try:
        connections.capabilities_detect(company=company)
    except QuickBooksError as error:
        messages.error(request, error.user_message)
    else:
        messages.success(request, "Capabilities checked again.")
    return redirect("quickbooks:connection", company_id=company.pk)
