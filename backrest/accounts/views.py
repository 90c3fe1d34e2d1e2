"""The account services of the contract, one per URL (see docs/api/accounts.rst)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPFound, HTTPNoContent

from backrest.accounts import schemas
from backrest.accounts.models import TokenPurpose
from backrest.accounts.services.address import AddressService
from backrest.accounts.services.login import LoginService
from backrest.accounts.services.password import PasswordService
from backrest.accounts.services.profile import ProfileService
from backrest.accounts.services.signup import SignupService
from backrest.errors import http_error
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.validation import body_validator

if TYPE_CHECKING:
    from pyramid.request import Request

SUCCESS = {"status": "success"}
TEAM_KEY = "A team's API key acts as the team, which has no profile."

signup = Service("accounts.signup", "/-/signup", "Create an account.")
login = Service("accounts.login", "/-/login", "Log in, or tell who is logged in.")
logout = Service("accounts.logout", "/-/logout", "End the current session.")
reset = Service("accounts.reset", "/-/reset/", "Ask for a password reset link, or use one.")
reset_token = Service("accounts.reset_token", "/-/reset/{token}", "Set a new password with a reset link.")
password = Service("accounts.password", "/-/password", "Change the password.")
email = Service("accounts.email", "/-/email/", "Change the email address, or cancel a pending change.")
email_cancel = Service(
    "accounts.email_cancel", "/-/email/cancel", "Cancel an address change from its notice."
)
email_token = Service("accounts.email_token", "/-/email/{token}", "Confirm an address change.")
confirm = Service("accounts.confirm", "/-/confirm/", "Confirm an address with a mailed token.")
confirm_resend = Service("accounts.confirm_resend", "/-/confirm/resend", "Mail a fresh confirmation link.")
confirm_token = Service("accounts.confirm_token", "/-/confirm/{token}", "Confirm the signup address.")
reauthenticate = Service(
    "accounts.reauthenticate", "/-/reauthenticate", "Renew the session's password check."
)
userprofile = Service("accounts.userprofile", "/-/userprofile", "Read, update or delete one's profile.")
change_password = Service(
    "accounts.change_password", "/.well-known/change-password", "Where password managers change passwords."
)

SERVICES = (
    signup,
    login,
    logout,
    reset,
    reset_token,
    password,
    email,
    email_cancel,
    email_token,
    confirm,
    confirm_resend,
    confirm_token,
    reauthenticate,
    userprofile,
    change_password,
)

PUBLIC = {"permission": Permission.PUBLIC, "no_store": True}
ACCOUNT = {"permission": Permission.ACCOUNT, "no_store": True}
SUCCEEDS = {"response_schema": schemas.Success()}
SETS_PASSWORD = {"response_schema": schemas.PasswordSet()}


def with_csrf_token(request: Request) -> dict[str, str]:
    """Success, with the CSRF token of the session the request started, if it started one."""
    identity = request.identity
    if identity is None or identity.session_id is None:
        return SUCCESS
    return {**SUCCESS, "csrf_token": identity.csrf_token}


def body(schema: type) -> dict[str, Any]:
    return {"schema": schema(), "validators": (body_validator,)}


@signup.post(**PUBLIC, **body(schemas.SignupSchema), **SUCCEEDS, success_status=201)
def signup_view(request: Request) -> dict[str, str]:
    SignupService(request).signup(**request.validated)
    request.response.status_code = 201
    return SUCCESS


@login.get(**PUBLIC, response_schema=schemas.LoginStatus())
def login_status_view(request: Request) -> dict[str, Any]:
    identity = request.identity
    if identity is None:
        return {"authenticated": False, "csrf_token": ""}
    refusal = identity.scope_denies(Permission.IDENTITY)
    if refusal is not None:
        raise http_error(403, "header", "Authorization", refusal)
    user = identity.user
    if user is None:
        return {"authenticated": True, "team": identity.team_ids[0], "csrf_token": ""}
    return {
        "authenticated": True,
        "id": user.id,
        "email": user.email,
        "email_verified": user.email_verified,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "csrf_token": identity.csrf_token,
    }


@login.put(**PUBLIC, **body(schemas.LoginSchema), response_schema=schemas.LoggedIn())
def login_view(request: Request) -> Any:
    failure = LoginService(request).login(**request.validated)
    if failure is not None:
        return failure
    return with_csrf_token(request)


@logout.put(**PUBLIC, validators=(body_validator,), **SUCCEEDS)
def logout_view(request: Request) -> dict[str, str]:
    LoginService(request).logout()
    return SUCCESS


@reset.post(**PUBLIC, **body(schemas.EmailSchema), **SUCCEEDS)
def reset_request_view(request: Request) -> dict[str, str]:
    PasswordService(request).request_reset(request.validated["email"])
    return SUCCESS


@reset.put(**PUBLIC, **body(schemas.ResetSchema), **SETS_PASSWORD)
def reset_view(request: Request) -> dict[str, str]:
    PasswordService(request).reset(location="body", **request.validated)
    return with_csrf_token(request)


@reset_token.put(**PUBLIC, **body(schemas.PasswordSchema), **SETS_PASSWORD)
def reset_token_view(request: Request) -> dict[str, str]:
    token = request.matchdict["token"]
    PasswordService(request).reset(token, request.validated["password"], location="path")
    return with_csrf_token(request)


@password.put(**ACCOUNT, **body(schemas.PasswordChangeSchema), **SETS_PASSWORD)
def password_view(request: Request) -> dict[str, str]:
    PasswordService(request).change_password(**request.validated)
    return with_csrf_token(request)


@email.put(**ACCOUNT, **body(schemas.EmailChangeSchema), **SUCCEEDS)
def email_change_view(request: Request) -> dict[str, str]:
    AddressService(request).request_email_change(**request.validated)
    return SUCCESS


@email.delete(**ACCOUNT, **SUCCEEDS)
def email_change_cancel_view(request: Request) -> dict[str, str]:
    AddressService(request).cancel_email_change()
    return SUCCESS


@email_cancel.post(**PUBLIC, **body(schemas.TokenSchema), **SUCCEEDS)
def email_cancel_view(request: Request) -> dict[str, str]:
    AddressService(request).cancel_email_change_by_token(request.validated["token"])
    return SUCCESS


@email_token.put(**PUBLIC, **SUCCEEDS)
def email_token_view(request: Request) -> dict[str, str]:
    SignupService(request).confirm(request.matchdict["token"], "path", (TokenPurpose.EMAIL_CHANGE,))
    return SUCCESS


@confirm.post(**PUBLIC, **body(schemas.TokenSchema), **SUCCEEDS)
def confirm_view(request: Request) -> dict[str, str]:
    SignupService(request).confirm(request.validated["token"], location="body")
    return SUCCESS


@confirm_resend.post(**PUBLIC, **body(schemas.EmailSchema), **SUCCEEDS)
def confirm_resend_view(request: Request) -> dict[str, str]:
    SignupService(request).resend(request.validated["email"])
    return SUCCESS


@confirm_token.post(**PUBLIC, **SUCCEEDS)
def confirm_token_view(request: Request) -> dict[str, str]:
    SignupService(request).confirm(request.matchdict["token"], "path", (TokenPurpose.SIGNUP,))
    return SUCCESS


@reauthenticate.put(**ACCOUNT, **body(schemas.PasswordSchema), **SUCCEEDS)
def reauthenticate_view(request: Request) -> dict[str, str]:
    LoginService(request).reauthenticate(request.validated["password"])
    return SUCCESS


@userprofile.get(permission=Permission.IDENTITY, no_store=True, response_schema=schemas.Profile())
def profile_view(request: Request) -> Any:
    user = request.identity.user
    if user is None:
        raise http_error(403, "header", "Authorization", TEAM_KEY)
    return user


@userprofile.put(**ACCOUNT, **body(schemas.ProfileSchema), **SUCCEEDS)
def profile_update_view(request: Request) -> dict[str, str]:
    ProfileService(request).update_profile(request.validated)
    return SUCCESS


@userprofile.delete(**ACCOUNT)
def profile_delete_view(request: Request) -> HTTPNoContent:
    ProfileService(request).delete_account()
    return HTTPNoContent()


@change_password.get(permission=Permission.PUBLIC)
def change_password_view(request: Request) -> HTTPFound:
    return HTTPFound(location=request.registry.settings["backrest.urls.change_password"])
