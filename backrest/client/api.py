"""The entry point: ``API(root_url)``, the service it finds at ``GET /-/``, and configured copies of it."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, Self

import httpx

from backrest.client.content import Collection, FileCollection
from backrest.client.credentials import (
    DEFAULT_CREDENTIAL_FILES,
    Credential,
    CredentialsError,
    api_key,
    bearer_token,
    profile_credential,
)
from backrest.client.methods import Method, MethodGroup
from backrest.client.transport import DEFAULT_TIMEOUT, Options, Pool, ResponseCache, Transport

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from types import TracebackType


def api_root(url: str) -> str:
    """The API root (``.../-/``) of a service's URL, given with or without ``/-/``."""
    parsed = httpx.URL(url)
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        msg = f"{url!r} is not an http:// or https:// URL"
        raise ValueError(msg)
    if parsed.userinfo:
        raise CredentialsError("credentials do not go in a URL: use a credentials file, key_id, or a token")
    path = parsed.path.rstrip("/")
    if not path.endswith("/-"):
        path += "/-"
    return str(parsed.copy_with(path=f"{path}/", query=None, fragment=None))


def choose_credential(
    files: Iterable[str | os.PathLike[str]],
    profile: str | None,
    key_id: str | None,
    key_secret: str | None,
    token: str | None,
) -> Credential | None:
    """A key given, a token given, or a profile (``[default]`` when none is named and a file has it)."""
    given = [
        kind
        for kind, value in (("a key", key_id or key_secret), ("a token", token), ("a profile", profile))
        if value
    ]
    if len(given) > 1:
        msg = f"give one credential, not {' and '.join(given)}"
        raise CredentialsError(msg)
    if key_id or key_secret:
        return api_key(key_id or "", key_secret or "")
    if token:
        return bearer_token(token)
    return profile_credential(files, profile)


class API:
    """A backrest service, as its API root describes it.

    Collections (``api.documents``) and typed methods (``api.home.describe_site``)
    are attributes, found at ``GET /-/`` on first use. ``api(...)`` answers a
    copy with other credentials, headers or options, which shares this
    API's connection pool: close the API first made (or use it in a ``with``
    block) when done.
    """

    def __init__(
        self,
        root_url: str,
        credential_files: Iterable[str | os.PathLike[str]] = DEFAULT_CREDENTIAL_FILES,
        *,
        profile: str | None = None,
        key_id: str | None = None,
        key_secret: str | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        retry_unsafe: bool = False,
    ) -> None:
        root_url = api_root(root_url)
        files = tuple(credential_files)
        options = Options(
            choose_credential(files, profile, key_id, key_secret, token),
            dict(headers or {}),
            timeout,
            max_retries,
            max_retry_wait,
            retry_unsafe,
        )
        self._setup(root_url, files, Pool(), options, ResponseCache())

    def _setup(
        self,
        root_url: str,
        files: tuple[str | os.PathLike[str], ...],
        pool: Pool,
        options: Options,
        cache: ResponseCache,
    ) -> None:
        self.root_url = root_url
        self.credential_files = files
        self.pool = pool
        self.transport = Transport(pool, options, root_url, cache)

    def __call__(
        self,
        *,
        root_url: str | None = None,
        profile: str | None = None,
        key_id: str | None = None,
        key_secret: str | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        retry_unsafe: bool | None = None,
    ) -> API:
        """A copy with other credentials, more headers, or other options; the rest as here."""
        options = self.transport.options
        credential = options.credential
        if profile or key_id or key_secret or token:
            credential = choose_credential(self.credential_files, profile, key_id, key_secret, token)
        changes = {
            "timeout": timeout,
            "max_retries": max_retries,
            "max_retry_wait": max_retry_wait,
            "retry_unsafe": retry_unsafe,
        }
        options = dataclasses.replace(
            options,
            credential=credential,
            headers={**options.headers, **(headers or {})},
            **{name: value for name, value in changes.items() if value is not None},
        )
        root = api_root(root_url) if root_url else self.root_url
        # Answers kept for one caller are not another's: the cache goes with the credential.
        same_caller = credential == self.transport.options.credential and root == self.root_url
        copy = object.__new__(API)
        copy._setup(
            root,
            self.credential_files,
            self.pool,
            options,
            self.transport.cache if same_caller else ResponseCache(),
        )
        return copy

    def index(self) -> dict[str, Any]:
        """The API root as ``GET /-/`` answered it: ``collections``, ``services``, ``methods``."""
        index = self.pool.indexes.get(self.root_url)
        if index is None:
            index, _etag = self.transport.get_json(self.root_url)
            self.pool.indexes[self.root_url] = index
        return index

    def collection(self, name: str) -> Collection:
        """The collection ``name``, also when an attribute of the API hides it."""
        entry = self.index()["collections"].get(name)
        if entry is None:
            known = ", ".join(self.index()["collections"])
            msg = f"no collection {name!r} at {self.root_url} (collections: {known})"
            raise LookupError(msg)
        return (FileCollection if entry["kind"] == "file" else Collection)(self, name)

    def method(self, name: str) -> Method:
        """The typed method ``name`` (``home.describe_site``); its URL is looked up when it is called."""
        return Method(self, name)

    def __getattr__(self, name: str) -> Collection | MethodGroup:
        if name.startswith("_"):
            raise AttributeError(name)
        index = self.index()
        if name in index["collections"]:
            return self.collection(name)
        if any(method.startswith(f"{name}.") for method in index["methods"]):
            return MethodGroup(self, name)
        msg = (
            f"{self.root_url} has no collection nor method group {name!r} (collections: "
            f"{', '.join(index['collections'])}; methods: {', '.join(index['methods'])})"
        )
        raise AttributeError(msg)

    def __dir__(self) -> list[str]:
        index = self.index()
        groups = {method.partition(".")[0] for method in index["methods"]}
        return sorted({*super().__dir__(), *index["collections"], *groups})

    def close(self) -> None:
        """Close the connections and threads of this API and of its copies."""
        self.pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        credential = self.transport.options.credential
        return f"<API {self.root_url} as {credential.label if credential else 'anonymous'}>"
