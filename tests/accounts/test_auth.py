import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def _sign_up(client, email="new@example.com", password="Tr1cky-enough-pass"):
    return client.post(reverse("account_signup"), {"email": email, "password1": password, "password2": password})


def test_sign_up_sends_a_confirmation_email_and_holds_sign_in_until_confirmed(client):
    response = _sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "new@example.com" in mail.outbox[0].to

    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": "Tr1cky-enough-pass"})
    assert response.url == reverse("account_email_verification_sent")  # not let in yet


def test_confirming_the_email_lets_the_user_in(client):
    _sign_up(client)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    response = client.post("/" + path)

    assert EmailAddress.objects.get(email="new@example.com").verified
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": "Tr1cky-enough-pass"})
    assert response.status_code == 302 and response.url == reverse("home")


def test_sign_up_never_reveals_whether_an_address_has_an_account(client, viewer):
    """A taken address gets the same page as a new one; only its owner's inbox learns it already has an account."""
    new = _sign_up(client, email="fresh@example.com")
    client.logout()
    taken = _sign_up(client, email=viewer.email.upper())

    assert taken.status_code == new.status_code == 302 and taken.url == new.url
    page = client.get(taken.url).content.decode()
    assert "If this address is new to Costline" in page and "already registered" not in page
    assert User.objects.filter(email__iexact=viewer.email).count() == 1
    told = [m for m in mail.outbox if viewer.email in m.to]
    assert len(told) == 1 and "already exists" in told[0].body and "/accounts/password/reset/" in told[0].body


def test_sign_in_with_a_wrong_password_is_refused_plainly(client, viewer):
    response = client.post(reverse("account_login"), {"login": viewer.email, "password": "wrong"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_and_sign_out(client, viewer, password):
    response = client.post(reverse("account_login"), {"login": viewer.email, "password": password})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(viewer.pk)

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(client, viewer):
    client.post(reverse("account_reset_password"), {"email": viewer.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    form_url = client.get(path).url  # allauth moves the key into the session, then shows the form
    response = client.post(form_url, {"password1": "Brand-new-pass-42", "password2": "Brand-new-pass-42"})

    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("Brand-new-pass-42")


def test_the_admin_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_non_staff_user_cannot_open_the_admin(client, viewer):
    client.force_login(viewer)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403
