"""A minimal API behind the gateway, so its behaviour is tested apart from the REST and GraphQL views."""

from django.urls import include, path

from sandbox import codec, store
from sandbox.errors import json_response
from sandbox.gateway import api_view
from sandbox.timefmt import intuit_now


@api_view()
def customer(request, realm_id):
    """Create a Customer from the JSON body (a stand-in for REST's create)."""
    if request.method == "GET":
        return json_response({"ok": True})
    entity = store.create(request.realm, "Customer", codec.loads(request.body or b"{}"))
    return json_response({"Customer": entity.document, "time": intuit_now()})


@api_view()
def batch(request, realm_id):
    """A stand-in for REST's batch endpoint: only its path matters to the gateway."""
    return json_response({"BatchItemResponse": []})


urlpatterns = [
    path("v3/company/<str:realm_id>/customer", customer),
    path("v3/company/<str:realm_id>/batch", batch),
    path("_sandbox/", include("sandbox.control.urls")),
]
