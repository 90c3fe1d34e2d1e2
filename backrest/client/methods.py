"""Typed methods as Python callables: ``api.home.describe_site()`` is ``POST /-/api/home/describe_site``.

Arguments travel as the form fields of section 6 of the contract, which
:meth:`Method.collate` shows: the service types them by the method's
annotations, as it types an HTML form's. Python values become fields by
:func:`~backrest.methods.wire.to_form_fields`: enums by name, datetimes in
seconds since 1970, ``Decimal`` as text, ``bytes`` in base64, dataclasses
as objects, content objects by their id. A form cannot tell ``None`` from
``""`` for an ``Optional[str]`` argument (the method gets ``""``); leave
such an argument out instead.

A file (for a ``FileUpload`` argument) is a ``pathlib.Path``, a binary file
object, or a ``(filename, file, content_type)`` tuple: the call is then a
``multipart/form-data`` body, and the file is streamed
(:mod:`backrest.client.uploads`).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backrest.client.objects import wrap
from backrest.client.uploads import FilePart, method_fields, multipart_content

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from backrest.client.api import API

log = logging.getLogger("backrest.client")


@dataclass(frozen=True)
class Broadcast:
    """The answers of one call made on several services: each root URL's result, or its exception."""

    results: dict[str, Any]
    errors: dict[str, BaseException]


class Method:
    """One typed method of a service, by its name (``home.describe_site``)."""

    def __init__(self, api: API, name: str) -> None:
        self.api = api
        self.name = name

    def _entry(self) -> dict[str, str]:
        methods = self.api.index()["methods"]
        if self.name not in methods:
            msg = f"no method {self.name} at {self.api.root_url} (methods: {', '.join(methods) or 'none'})"
            raise LookupError(msg)
        return methods[self.name]

    @property
    def url(self) -> str:
        return self._entry()["url"]

    @property
    def description(self) -> str:
        return self._entry()["description"]

    def __call__(self, /, **arguments: Any) -> Any:
        """Call the method: its result as objects (:class:`~backrest.client.objects.Resource`)."""
        return wrap(self.json(**arguments))

    def json(self, /, **arguments: Any) -> Any:
        """Call the method: its result as the JSON data the service answered."""
        return self.post_form(method_fields(arguments))

    def collate(self, /, **arguments: Any) -> list[tuple[str, str]]:
        """The form fields a call with ``arguments`` sends, as ``(name, value)`` pairs; a file by its name."""
        return [(name, str(value)) for name, value in method_fields(arguments)]

    def post_form(self, fields: Sequence[tuple[str, str | FilePart]]) -> Any:
        """Call the method with form fields as they are (the command line's ``name=value``): its JSON.

        With a :class:`~backrest.client.uploads.FilePart` among them, the body
        is multipart, the file streamed; else the fields are URL-encoded.
        """
        transport = self.api.transport
        if not any(isinstance(value, FilePart) for _, value in fields):
            return transport.request("POST", self.url, form=fields).json()
        with multipart_content(fields) as content:
            return transport.request("POST", self.url, **content).json()

    def callasync(self, /, **arguments: Any) -> Future[Any]:
        """Call the method on a thread of the API's: the future of its result.

        A failure is logged on the ``backrest.client`` logger, and is the
        future's exception too.
        """

        def call() -> Any:
            try:
                return self(**arguments)
            except Exception:
                log.exception("%s failed", self.name)
                raise

        return self.api.pool.executor().submit(call)

    def broadcast(self, roots: Iterable[str], /, **arguments: Any) -> Broadcast:
        """Make the same call on the service at each of ``roots``, each on a thread of its own, at once.

        Each service is called with this API's credentials and options. A
        failure on one does not stop the others: it is that root's error.
        A file is sent to each as a path (an open file is read only once).
        """
        roots = list(dict.fromkeys(roots))
        with ThreadPoolExecutor(max(1, len(roots)), thread_name_prefix="backrest-broadcast") as executor:
            futures = {root: executor.submit(self._call_on, root, arguments) for root in roots}
        results, errors = {}, {}
        for root, future in futures.items():
            error = future.exception()
            if error is None:
                results[root] = future.result()
            else:
                errors[root] = error
        return Broadcast(results, errors)

    def _call_on(self, root: str, arguments: dict[str, Any]) -> Any:
        return self.api(root_url=root).method(self.name)(**arguments)

    def __repr__(self) -> str:
        return f"<Method {self.name} of {self.api.root_url}>"


class MethodGroup:
    """The methods of one group as attributes: ``api.home.describe_site``."""

    def __init__(self, api: API, group: str) -> None:
        self.api = api
        self.group = group

    def _method_names(self) -> list[str]:
        prefix = f"{self.group}."
        return [name.removeprefix(prefix) for name in self.api.index()["methods"] if name.startswith(prefix)]

    def __getattr__(self, name: str) -> Method:
        if name.startswith("_"):
            raise AttributeError(name)
        names = self._method_names()
        if name not in names:
            msg = f"{self.group} has no method {name!r} (methods: {', '.join(names) or 'none'})"
            raise AttributeError(msg)
        return Method(self.api, f"{self.group}.{name}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._method_names()})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.group} of {self.api.root_url}>"
