"""The QuickBooks Online client: endpoints, OAuth tokens, typed errors, the shared rate limiter."""

from . import tokens
from .api import QuickBooksClient, query_literal
from .errors import (
    AuthenticationError,
    AuthorizationError,
    GraphQLError,
    NotEntitledError,
    NotFoundError,
    QuickBooksError,
    RateLimitedError,
    ReauthorizationRequired,
    StaleObjectError,
    TransientError,
    ValidationError,
)

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "GraphQLError",
    "NotEntitledError",
    "NotFoundError",
    "QuickBooksClient",
    "QuickBooksError",
    "RateLimitedError",
    "ReauthorizationRequired",
    "StaleObjectError",
    "TransientError",
    "ValidationError",
    "query_literal",
    "tokens",
]
