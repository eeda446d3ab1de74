from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .access import SESSION_KEY, company_view
from .forms import InvitationForm, MembershipRoleForm
from .models import Company, Invitation, Role


@login_required
def home(request):
    """Straight to the company last looked at; the company list when there is a choice to make."""
    companies = Company.objects.for_user(request.user)
    if Invitation.objects.pending().for_email(request.user.email).exists():
        return redirect("company_list")
    last = companies.filter(pk=request.session.get(SESSION_KEY)).first() or companies.first()
    if last is None:
        return redirect("company_list")
    return redirect("dashboard", company_id=last.pk)


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
            messages.error(request, "Only an admin of this company can invite people.")
            return redirect("members", company_id=company.pk)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_send(
                    company=company, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                messages.success(request, f"Invitation sent to {invitation.email} as {invitation.get_role_display()}.")
                return redirect("members", company_id=company.pk)
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
        messages.error(request, form.errors["role"][0])
        return redirect("members", company_id=company.pk)
    try:
        services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} is now a {membership.get_role_display().lower()}.")
    return redirect("members", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ADMIN)
def member_remove(request, company, membership_id):
    membership = get_object_or_404(company.memberships.select_related("user", "company"), pk=membership_id)
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} no longer has access to {company}.")
    return redirect("members", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ADMIN)
def invitation_revoke(request, company, invitation_id):
    invitation = get_object_or_404(company.invitations.filter(accepted_at__isnull=True), pk=invitation_id)
    invitation.delete()
    messages.success(request, f"The invitation for {invitation.email} is withdrawn.")
    return redirect("members", company_id=company.pk)


@login_required
def invitation_accept(request, token):
    """GET shows what accepting means; POST accepts (or declines)."""
    invitation = get_object_or_404(Invitation.objects.select_related("company", "invited_by"), token=token)
    if request.method == "POST":
        if request.POST.get("decline"):
            if invitation.accepted_at is None and invitation.email.lower() == request.user.email.lower():
                invitation.delete()
                messages.info(request, f"You declined the invitation to {invitation.company}.")
            return redirect("company_list")
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, error.message)
            return redirect("company_list")
        role = membership.get_role_display().lower()
        messages.success(request, f"Welcome to {membership.company}. You are a {role}.")
        return redirect("dashboard", company_id=membership.company_id)
    return render(request, "quickbooks/invitation_accept.html", {"invitation": invitation})
