"""Writes that touch several models or send mail: memberships and invitations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Company, Invitation, Membership, Role


def invitation_send(*, company: Company, email: str, role: Role, invited_by) -> Invitation:
    """Invite `email` to `company`; a pending invitation for the same address is renewed, not doubled."""
    email = email.strip().lower()
    if company.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {company}.", code="already_member")
    with transaction.atomic():
        invitation = company.invitations.filter(accepted_at__isnull=True).for_email(email).first()
        if invitation is None:
            invitation = Invitation(company=company, email=email)
        invitation.role = role
        invitation.invited_by = invited_by
        invitation.created = timezone.now()
        invitation.save()
        transaction.on_commit(lambda: _mail_invitation(invitation))
    return invitation


def _mail_invitation(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "accept_url": settings.SITE_URL.rstrip("/") + reverse("quickbooks:invitation-accept", args=[invitation.token]),
    }
    send_mail(
        subject=f"[Costline] You are invited to {invitation.company}",
        message=render_to_string("quickbooks/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make `user` a member with the invited role. The invitation must be theirs and still open."""
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.", code="used")
    if invitation.is_expired:
        raise ValidationError(
            f"This invitation expired on {invitation.expires_at:%d %b %Y}. Ask an admin of "
            f"{invitation.company} to invite you again.",
            code="expired",
        )
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign in with the invited address to accept it.",
            code="wrong_user",
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, company=invitation.company, defaults={"role": invitation.role}
        )
        if not created and not Role(membership.role).allows(invitation.role):
            membership.role = invitation.role  # an invitation can raise a role, never lower it
            membership.save(update_fields=["role"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _ensure_an_admin_remains(membership: Membership) -> None:
    if membership.role == Role.ADMIN and membership.company.admins().count() == 1:
        raise ValidationError(
            f"{membership.user} is the only admin of {membership.company}. Make someone else an admin first.",
            code="last_admin",
        )


def membership_change_role(*, membership: Membership, role: Role) -> Membership:
    """Give a member another role; the last admin cannot be demoted."""
    if role != Role.ADMIN:
        _ensure_an_admin_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Take a member out of the company; the last admin cannot be removed."""
    _ensure_an_admin_remains(membership)
    membership.delete()


def invitations_purge_expired() -> int:
    """Delete invitations nobody accepted in time. Returns how many went."""
    deleted, _ = Invitation.objects.expired().delete()
    return deleted
