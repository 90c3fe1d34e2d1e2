"""The views of applications beyond a content type's: the rules across fields, and the secret shown once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.content.conditional import tag_response
from backrest.content.representation import permissions, representation
from backrest.content.views import ContentViews
from backrest.errors import Errors, errors_exception, http_error
from backrest.oauth.client_rules import problems
from backrest.oauth.client_secrets import issue_secret
from backrest.oauth.models import CONFIDENTIAL

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.content.resources import ItemResource
    from backrest.oauth.models import Application


def check_consistency(application: Application, data: dict[str, Any]) -> None:
    """Refuse (400) a write after which ``application`` would break a rule of ``client_rules``.

    The client type is set once: it says what the deployed program is (a
    server that keeps a secret, or code on users' devices), and its grants
    and redirect URIs were accepted for that program, not for another.
    """
    errors = Errors(400)
    client_type = data["client_type"] if application.id is None else application.client_type
    if data.get("client_type", client_type) != client_type:
        errors.add(
            "body",
            "client_type",
            "An application's client type is set when it is made: make another application for another type.",
        )
    merged = {name: data.get(name, getattr(application, name)) for name in ("grant_types", "redirect_uris")}
    for name, description in problems(client_type, **merged):
        errors.add("body", name, description)
    if errors:
        raise errors_exception(errors)


class ApplicationViews(ContentViews):
    """A content type's views, and a confidential client's secret: made with it, rotated on demand."""

    def apply(self, request: Request, obj: Application, data: dict[str, Any]) -> None:
        check_consistency(obj, data)
        creating = obj.id is None
        super().apply(request, obj, data)
        if creating and obj.client_type == CONFIDENTIAL:
            # Kept on the request for create() to answer, and nowhere else.
            request.issued_client_secret = issue_secret(request, obj)

    def create(self, request: Request) -> dict[str, Any]:
        """The new application; a confidential client's secret is in this answer, and nowhere else, ever."""
        answer = super().create(request)
        secret = getattr(request, "issued_client_secret", None)
        return answer if secret is None else {**answer, "client_secret": secret}

    def rotate_secret(self, request: Request) -> dict[str, Any]:
        """A new secret for the application, shown in this answer only; the old one stops working now."""
        item: ItemResource = request.context
        application: Application = item.obj
        if application.client_type != CONFIDENTIAL:
            raise http_error(409, "request", "client_type", "A public client has no secret.")
        secret = issue_secret(request, application)
        request.dbsession.flush()
        self.mark_changed(request)
        self.record(request, "secret_rotated", application, {"client_secret": "changed"})
        allowed = permissions(request, item)
        tag_response(request, item, allowed)
        return {**representation(request, item, allowed), "client_secret": secret}
