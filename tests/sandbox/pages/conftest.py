"""Helpers for the sandbox's pages: page text as a reader sees it, and stored transactions."""

import html
import re
from collections.abc import Callable

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from sandbox import events, store
from sandbox.models import Counter
from sandbox.testing import make_realm


def text(response) -> str:
    """The page's words: tags dropped, entities decoded, whitespace collapsed."""
    body = re.sub(r"<style>.*?</style>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def put(realm, type_, qbo_id, document):
    """Store `document` as `type_` under the chosen Id, as QuickBooks would have it."""
    Counter.objects.update_or_create(realm=realm, name=type_, defaults={"value": int(qbo_id) - 1})
    return store.create(realm, type_, document)


def queries(call: Callable) -> tuple[object, int]:
    """`call()`'s result and how many queries it ran on either database."""
    with CaptureQueriesContext(connections["sandbox"]) as sandbox, CaptureQueriesContext(connections["default"]) as app:
        result = call()
    return result, len(sandbox.captured_queries) + len(app.captured_queries)


@pytest.fixture(autouse=True)
def no_recent_changes():
    """Recent changes live in process memory: each test starts without earlier tests' ones."""
    events.forget()
    yield
    events.forget()


@pytest.fixture
def harbor(db):
    return make_realm("9341453000000001", "Harbor Build Co.")


@pytest.fixture
def maple(db):
    return make_realm("9341453000000002", "Maple Street Services", plan="plus")
