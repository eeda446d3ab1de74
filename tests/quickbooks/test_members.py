"""Members page: inviting, changing roles, removing; each as every role, the outsider and bad input."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from quickbooks.models import Invitation, Membership, Role
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, company, email="new.person@example.com", role="accountant"):
    return client.post(reverse("quickbooks:members", args=[company.pk]), {"email": email, "role": role})


def test_an_admin_invites_by_email_with_a_role(login, admin_user, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(login(admin_user), company, email="New.Person@Example.com")

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.email, invitation.role) == (company, "new.person@example.com", "accountant")
    assert invitation.invited_by == admin_user
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert reverse("quickbooks:invitation-accept", args=[invitation.token]) in mail.outbox[0].body


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PROJECT_MANAGER, Role.ACCOUNTANT])
def test_only_admins_may_invite(login, company, role):
    user = MembershipFactory(company=company, role=role).user

    response = _invite(login(user), company)

    assert response.status_code == 403
    assert "Only an admin of this company can invite people." in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_outsider_cannot_invite_to_another_company(login, outsider, company):
    assert _invite(login(outsider), company).status_code == 404
    assert not Invitation.objects.exists()


def test_an_unknown_role_is_refused_with_a_clear_message(login, admin_user, company):
    response = _invite(login(admin_user), company, role="owner")

    assert response.status_code == 400
    assert "“owner” is not a role here" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_bad_email_is_refused_and_the_form_keeps_the_role(login, admin_user, company):
    response = _invite(login(admin_user), company, email="not-an-email", role="project_manager")

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address" in html
    assert '<option value="project_manager" selected>' in html
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_says_so(login, admin_user, viewer, company):
    response = _invite(login(admin_user), company, email=viewer.email)

    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_the_same_address_twice_renews_one_invitation(
    login, admin_user, company, django_capture_on_commit_callbacks
):
    client = login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, company, role="viewer")
        _invite(client, company, role="accountant")

    assert Invitation.objects.get().role == "accountant"
    assert len(mail.outbox) == 2


def test_accepting_an_invitation_makes_a_membership(login, company):
    invitation = InvitationFactory(company=company, role=Role.PROJECT_MANAGER)
    user = UserFactory(email=invitation.email)
    client = login(user)

    assert client.get(reverse("quickbooks:invitation-accept", args=[invitation.token])).status_code == 200
    response = client.post(reverse("quickbooks:invitation-accept", args=[invitation.token]))

    assert response.url == reverse("reports:dashboard", args=[company.pk])
    assert Membership.objects.get(user=user, company=company).role == Role.PROJECT_MANAGER
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_pending_invitations_show_on_the_company_list(login, company):
    invitation = InvitationFactory(company=company)
    user = UserFactory(email=invitation.email)
    client = login(user)

    response = client.get(reverse("home"), follow=True)

    assert reverse("quickbooks:invitation-accept", args=[invitation.token]) in response.content.decode()


def test_someone_elses_invitation_cannot_be_accepted(login, company, viewer):
    invitation = InvitationFactory(company=company, role=Role.ADMIN)
    stranger = UserFactory()

    response = login(stranger).post(reverse("quickbooks:invitation-accept", args=[invitation.token]), follow=True)

    assert f"sent to {invitation.email}" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_expired_invitation_cannot_be_accepted(login, company):
    invitation = InvitationFactory(company=company, created=timezone.now() - timedelta(days=30))
    user = UserFactory(email=invitation.email)

    response = login(user).post(reverse("quickbooks:invitation-accept", args=[invitation.token]), follow=True)

    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_an_invitation_is_used_once(login, company):
    invitation = InvitationFactory(company=company, role=Role.VIEWER)
    user = UserFactory(email=invitation.email)
    client = login(user)
    client.post(reverse("quickbooks:invitation-accept", args=[invitation.token]))
    Membership.objects.filter(user=user).delete()

    response = client.post(reverse("quickbooks:invitation-accept", args=[invitation.token]), follow=True)

    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_accepting_never_lowers_an_existing_role(login, company):
    member = MembershipFactory(company=company, role=Role.ACCOUNTANT)
    invitation = InvitationFactory(company=company, email=member.user.email, role=Role.VIEWER)

    login(member.user).post(reverse("quickbooks:invitation-accept", args=[invitation.token]))

    member.refresh_from_db()
    assert member.role == Role.ACCOUNTANT


def test_declining_removes_the_invitation(login, company):
    invitation = InvitationFactory(company=company)
    user = UserFactory(email=invitation.email)

    login(user).post(reverse("quickbooks:invitation-accept", args=[invitation.token]), {"decline": "1"})

    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user=user).exists()


def test_an_unknown_invitation_token_is_not_found(login, viewer):
    assert login(viewer).get(reverse("quickbooks:invitation-accept", args=["nope"])).status_code == 404


def test_an_admin_changes_a_members_role(login, admin_user, viewer, company):
    membership = viewer.memberships.get()

    login(admin_user).post(reverse("quickbooks:member-role", args=[company.pk, membership.pk]), {"role": "accountant"})

    membership.refresh_from_db()
    assert membership.role == Role.ACCOUNTANT


def test_a_role_change_to_an_unknown_role_is_refused(login, admin_user, viewer, company):
    membership = viewer.memberships.get()

    response = login(admin_user).post(
        reverse("quickbooks:member-role", args=[company.pk, membership.pk]), {"role": "owner"}, follow=True
    )

    assert "is not a role here" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PROJECT_MANAGER, Role.ACCOUNTANT])
def test_only_admins_change_roles_or_remove_members(login, company, viewer, role):
    actor = MembershipFactory(company=company, role=role).user
    target = viewer.memberships.get()
    client = login(actor)

    assert (
        client.post(reverse("quickbooks:member-role", args=[company.pk, target.pk]), {"role": "admin"}).status_code
        == 403
    )
    assert client.post(reverse("quickbooks:member-remove", args=[company.pk, target.pk])).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.VIEWER


def test_an_outsider_cannot_touch_members(login, outsider, viewer, company):
    target = viewer.memberships.get()
    client = login(outsider)

    assert (
        client.post(reverse("quickbooks:member-role", args=[company.pk, target.pk]), {"role": "admin"}).status_code
        == 404
    )
    assert client.post(reverse("quickbooks:member-remove", args=[company.pk, target.pk])).status_code == 404
    assert Membership.objects.filter(pk=target.pk, role=Role.VIEWER).exists()


def test_an_admin_cannot_reach_a_membership_of_another_company(login, admin_user, company, other_company):
    foreign = other_company.memberships.get()

    response = login(admin_user).post(reverse("quickbooks:member-remove", args=[company.pk, foreign.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_an_admin_removes_a_member_after_a_confirmation(login, admin_user, viewer, company):
    client, url = login(admin_user), reverse("quickbooks:member-remove", args=[company.pk, viewer.memberships.get().pk])

    asked = client.post(url)
    assert "will no longer see or change anything" in asked.content.decode() and viewer.memberships.exists()

    client.post(url, {"confirmed": "1"})
    assert not viewer.memberships.exists()


def test_the_last_admin_can_be_neither_demoted_nor_removed(login, admin_user, company):
    membership = admin_user.memberships.get()
    client = login(admin_user)

    response = client.post(
        reverse("quickbooks:member-role", args=[company.pk, membership.pk]), {"role": "viewer"}, follow=True
    )
    assert "only admin" in response.content.decode()
    client.post(reverse("quickbooks:member-remove", args=[company.pk, membership.pk]), {"confirmed": "1"})

    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_an_admin_withdraws_an_invitation(login, admin_user, company):
    invitation = InvitationFactory(company=company)

    login(admin_user).post(reverse("quickbooks:invitation-revoke", args=[company.pk, invitation.pk]))

    assert not Invitation.objects.exists()


def test_non_admins_do_not_see_the_invite_form(login, viewer, company):
    html = login(viewer).get(reverse("quickbooks:members", args=[company.pk])).content.decode()

    assert "Invite someone" not in html
    assert viewer.email in html
