"""Credentials: API keys from INI profiles, or given directly, and OAuth access tokens.

A credentials file holds one section per profile, as AWS's does::

    [default]
    access_key_id = 3F9dQp0cTqWk2m7Y
    access_key_secret = ...

Keep it readable by its owner alone (``chmod 600``). A credential knows the
``Authorization`` header it makes; its ``repr()`` names the key id at most,
never the secret, so that it can show in logs and tracebacks.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CREDENTIAL_FILES = ("~/.config/backrest/credentials",)
DEFAULT_PROFILE = "default"
KEY_ID = "access_key_id"
KEY_SECRET = "access_key_secret"


class CredentialsError(ValueError):
    """Credentials that cannot be used: a profile that is missing or incomplete, a malformed key."""


@dataclass(frozen=True)
class Credential:
    """What authenticates requests: ``authorization`` is the header's value, never shown."""

    authorization: str = field(repr=False)
    label: str
    """What may be shown of it: ``key 3F9dQp0cTqWk2m7Y`` or ``token``."""

    def __repr__(self) -> str:
        return f"<Credential {self.label}>"


def api_key(key_id: str, key_secret: str) -> Credential:
    """A personal or team API key, sent as ``Authorization: Token KEYID:SECRET``."""
    if not key_id or not key_secret or ":" in key_id or any(char.isspace() for char in key_id + key_secret):
        raise CredentialsError("an API key needs an id without ':' and a secret, neither with spaces")
    return Credential(f"Token {key_id}:{key_secret}", f"key {key_id}")


def split_key(text: str) -> tuple[str, str]:
    """A key as ``POST /-/keys`` shows it, ``KEYID:SECRET``: its id and its secret."""
    key_id, separator, key_secret = text.strip().partition(":")
    if not separator:
        raise CredentialsError("an API key is written KEYID:SECRET")
    return key_id, key_secret


def bearer_token(token: str) -> Credential:
    """An OAuth2 access token, sent as ``Authorization: Bearer TOKEN``."""
    if not token or any(char.isspace() for char in token):
        raise CredentialsError("an access token is one word")
    return Credential(f"Bearer {token}", "token")


def read_profiles(files: Iterable[str | os.PathLike[str]]) -> dict[str, Credential]:
    """The profiles of the credentials files that exist, by name; a later file's profile wins."""
    parser = configparser.ConfigParser(interpolation=None, default_section="__no default section__")
    paths = [Path(file).expanduser() for file in files]
    try:
        parser.read(paths, encoding="utf-8")
    except configparser.Error as error:
        # The message quotes the file's lines, which may hold a secret: name the file only.
        names = ", ".join(str(path) for path in paths)
        msg = f"cannot read the credentials in {names}: {type(error).__name__}"
        raise CredentialsError(msg) from None
    profiles = {}
    for name in parser.sections():
        section = parser[name]
        missing = [option for option in (KEY_ID, KEY_SECRET) if not section.get(option)]
        if missing:
            msg = f"profile [{name}] has no {' and no '.join(missing)}"
            raise CredentialsError(msg)
        profiles[name] = api_key(section[KEY_ID], section[KEY_SECRET])
    return profiles


def profile_credential(files: Iterable[str | os.PathLike[str]], profile: str | None) -> Credential | None:
    """The credential of ``profile``, which must exist; without one, ``[default]`` if a file has it."""
    files = list(files)
    profiles = read_profiles(files)
    if profile is None:
        return profiles.get(DEFAULT_PROFILE)
    if profile not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        names = ", ".join(str(file) for file in files) or "no file"
        msg = f"no profile [{profile}] in {names} (profiles: {known})"
        raise CredentialsError(msg)
    return profiles[profile]
