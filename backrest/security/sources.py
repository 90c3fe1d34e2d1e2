"""Credential sources: how a package teaches the security policy a kind of credentials.

A source reads one kind of credentials (an ``Authorization`` scheme, a body
field, a cookie) and answers, for a request: ``None`` when the request
carries none of them, the :class:`~backrest.security.identity.Identity`
they name, or raises :class:`CredentialError` when they are no good. Packages
register theirs from their ``includeme`` with the
``config.add_credential_source(source, order=...)`` directive, so the
policy imports none of them (see ``docs/framework.rst``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyramid.config import Configurator
    from pyramid.registry import Registry
    from pyramid.request import Request

    from backrest.security.identity import Identity

REGISTRY_KEY = "backrest.credential_sources"


class CredentialError(ValueError):
    """Credentials were sent but are no good: a 401 on ``location`` and ``name``, challenging ``scheme``.

    ``challenge`` adds parameters to the scheme's challenge: ``error="invalid_token"``.
    """

    def __init__(
        self,
        description: str,
        scheme: str,
        location: str = "header",
        name: str = "Authorization",
        *,
        challenge: str = "",
    ) -> None:
        super().__init__(description)
        self.scheme = scheme
        self.location = location
        self.name = name
        self.challenge = challenge


class CredentialSource:
    """One kind of credentials; subclasses set what applies and answer :meth:`identify`."""

    scheme: str | None = None
    """The ``Authorization`` scheme it reads (``Token``). ``None``: it reads
    elsewhere (a body field, a cookie), and only requests without that header."""
    challenge: str | None = None
    """The scheme a 401 that asks for credentials names in ``WWW-Authenticate``;
    ``None`` for none (``Basic``, whose challenge makes browsers prompt)."""
    usage: str | None = None
    """How a client sends it (``Token KEYID:SECRET``), shown to one that sends a scheme no source reads."""

    def identify(self, request: Request) -> Identity | None:
        """Whom the request's credentials of this kind name, ``None`` without any.

        Credentials that are there but no good raise :class:`CredentialError`.
        """
        raise NotImplementedError

    def may_carry(self, request: Request) -> bool:
        """Whether the request may carry its credentials elsewhere than in ``Authorization``.

        Those are judged before any view runs, as an ``Authorization`` header
        always is; so the answer must be cheap (no parsing, no query). A
        source whose bad credentials are no error (a stale cookie is an
        anonymous caller) answers ``False``.
        """
        return False


def realm(scheme: str) -> str:
    return f'{scheme} realm="backrest"'


class CredentialSources:
    """The registered sources, in order, grouped by the ``Authorization`` scheme they read."""

    def __init__(self) -> None:
        self._ordered: list[tuple[int, CredentialSource]] = []
        self._by_scheme: dict[str | None, tuple[CredentialSource, ...]] = {}
        self.site_challenge = ""
        """The ``WWW-Authenticate`` of a request that must authenticate: every source's challenge."""
        self.header_challenge = ""
        """The ``WWW-Authenticate`` of an ``Authorization`` scheme no source reads: the advertised ones'."""
        self._usages = ""
        self._client_paths: frozenset[str] = frozenset()

    def add_client_path(self, path: str) -> None:
        self._client_paths |= {path.rstrip("/")}

    def leaves_to_view(self, request: Request) -> bool:
        """Whether ``request`` goes to a path whose ``Authorization`` header names a client, not a caller.

        The OAuth token endpoints read a client's ``client_id:secret`` as
        HTTP Basic: no source may take them for a caller's credentials.
        """
        return request.path_info.rstrip("/") in self._client_paths

    def add(self, source: CredentialSource, order: int) -> None:
        self._ordered = sorted([*self._ordered, (order, source)], key=lambda entry: entry[0])
        sources = [source for _, source in self._ordered]
        self._by_scheme = {}
        for each in sources:
            key = _scheme_key(each.scheme)
            self._by_scheme[key] = (*self._by_scheme.get(key, ()), each)
        advertised = [each for each in sources if each.scheme and each.usage]
        self.site_challenge = _challenge(each.challenge for each in sources)
        self.header_challenge = _challenge(each.challenge for each in advertised)
        self._usages = " or ".join(f"'{each.usage}'" for each in advertised)

    def reading(self, scheme: str | None) -> tuple[CredentialSource, ...]:
        """The sources to ask, in order: those of the request's ``Authorization`` scheme, or of none."""
        return self._by_scheme.get(_scheme_key(scheme), ())

    def may_carry(self, request: Request) -> bool:
        """Whether a source that reads no ``Authorization`` header may find credentials in ``request``."""
        return any(source.may_carry(request) for source in self.reading(None))

    def challenge(self, error: CredentialError) -> str:
        """The ``WWW-Authenticate`` of a refused credential: never ``Basic``.

        A browser that sees a Basic challenge prompts for a password and then
        sends it with every request to the site by itself, which would make
        those requests exempt from the CSRF check like any header credential.
        """
        if _scheme_key(error.scheme) == "basic":
            return self.site_challenge
        return ", ".join(filter(None, (realm(error.scheme), error.challenge)))

    def unsupported(self, scheme: str) -> str:
        """Why an ``Authorization`` scheme that no source reads is refused."""
        return f"Unsupported authorization scheme {scheme!r}: send {self._usages}."


def _scheme_key(scheme: str | None) -> str | None:
    # Schemes are case-insensitive (RFC 9110); None stands for "no Authorization header".
    return scheme.lower() if scheme is not None else None


def _challenge(schemes: Iterable[str | None]) -> str:
    named = {scheme for scheme in schemes if scheme and _scheme_key(scheme) != "basic"}
    return ", ".join(realm(scheme) for scheme in sorted(named))


def credential_sources(registry: Registry) -> CredentialSources:
    return registry[REGISTRY_KEY]


def add_credential_source(config: Configurator, source: CredentialSource, *, order: int) -> None:
    """The ``config.add_credential_source`` directive: ``order`` ranks ``source`` among the others.

    Only order among sources of the same ``Authorization`` scheme (or of
    none) matters: the first that answers wins. Two sources with one order
    are a configuration conflict, whatever they read.
    """

    def register() -> None:
        credential_sources(config.registry).add(source, order)

    config.action(("backrest.credential_source", order), register)


def add_client_authenticated_path(config: Configurator, path: str) -> None:
    """The ``config.add_client_authenticated_path`` directive: its view reads ``Authorization`` itself."""
    credential_sources(config.registry).add_client_path(path)
