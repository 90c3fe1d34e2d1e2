"""The Python client of a backrest service (section 15 of the contract).

``docs/client.rst`` is its guide. In short::

    with API("https://api.example.com", profile="default") as api:
        site = api.home.describe_site()
        for document in api.documents.list(filters={"status": "published"}, ordering="-title"):
            print(document.title)
"""

from backrest.client.api import API
from backrest.client.content import Collection, FileCollection, Listing
from backrest.client.credentials import CredentialsError
from backrest.client.errors import (
    APIError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationError,
)
from backrest.client.methods import Broadcast, Method, MethodGroup
from backrest.client.objects import Resource

__all__ = [
    "API",
    "APIError",
    "Broadcast",
    "Collection",
    "Conflict",
    "CredentialsError",
    "FileCollection",
    "Forbidden",
    "Listing",
    "Method",
    "MethodGroup",
    "NotFound",
    "RateLimited",
    "Resource",
    "Unauthorized",
    "ValidationError",
]
