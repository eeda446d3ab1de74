"""`events.entity_changed`: changes are remembered and handed to the dispatcher only once committed."""

import pytest

from sandbox import events, store
from sandbox.testing import make_realm
from sandbox.webhooks import dispatcher

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]


@pytest.fixture
def submitted(monkeypatch):
    changes = []
    monkeypatch.setattr(dispatcher, "submit", changes.append)
    events.forget()
    return changes


def test_changes_reach_the_dispatcher_on_commit_only(django_capture_on_commit_callbacks, submitted):
    realm = make_realm()
    with django_capture_on_commit_callbacks(using="sandbox") as callbacks:
        customer = store.create(realm, "Customer", {"DisplayName": "Acme"})
        store.delete(customer)
    assert submitted == []  # not committed yet
    for callback in callbacks:
        callback()
    assert [(c.name, c.id, c.operation, c.realm_id) for c in submitted] == [
        ("Customer", str(customer.qbo_id), "Create", realm.realm_id),
        ("Customer", str(customer.qbo_id), "Delete", realm.realm_id),
    ]


def test_committed_changes_show_in_state(client, django_capture_on_commit_callbacks, submitted):
    realm = make_realm()
    with django_capture_on_commit_callbacks(execute=True, using="sandbox"):
        store.create(realm, "Vendor", {"DisplayName": "Lumber Yard"})
    [change] = client.get("/_sandbox/state").json()["recent_changes"]
    assert (change["name"], change["operation"], change["realm_id"]) == ("Vendor", "Create", realm.realm_id)
