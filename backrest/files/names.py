"""What a client says of its file, made safe: its name for display, its media type.

Client filenames are only ever shown and sent back in ``Content-Disposition``
(RFC 6266); they never take part in a path on disk.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_FILENAME = 255
MAX_EXTENSION = 16
DEFAULT_FILENAME = "file"
OCTET_STREAM = "application/octet-stream"

# Types a browser shows without running anything: served inline. Not SVG,
# which is a document that may carry scripts.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"})

# RFC 9110 token characters, for both halves of type/subtype.
MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
# Unicode categories never kept in a name: controls, format characters
# (bidirectional overrides that disguise an extension), separators other
# than the space, unassigned and private-use code points.
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})


def safe_filename(name: str | None) -> str:
    r"""The last component of ``name``, without what could disguise or break it.

    Any directory part (``/`` or ``\\``) is dropped, as are control and
    format characters; leading dots and surrounding spaces go (no hidden
    files, no Windows trailing dots); the result is NFC and at most 255
    characters, keeping the extension. An empty result is ``file``.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if char.isspace() else char for char in name)
    name = "".join(char for char in name if unicodedata.category(char) not in DROPPED_CATEGORIES)
    name = name.strip(" ").lstrip(".").rstrip(". ")
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) < MAX_EXTENSION:
            name = stem[: MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME]
    return name or DEFAULT_FILENAME


def media_type(value: str | None) -> str | None:
    """``type/subtype`` of a Content-Type value, lowercased and without parameters; ``None`` if malformed."""
    if not value:
        return OCTET_STREAM
    essence = value.split(";", 1)[0].strip().lower()
    return essence if MEDIA_TYPE.match(essence) else None


def allowed(content_type: str, patterns: list[str]) -> bool:
    """Whether ``content_type`` is in the allow-list; ``image/*`` matches every image type.

    An empty list allows every type.
    """
    if not patterns:
        return True
    family = content_type.split("/", 1)[0] + "/*"
    return any(pattern.lower() in (content_type, family, "*/*") for pattern in patterns)


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r'[^\x20-\x7e]|["\\%]', "_", decomposed).strip()
    return cleaned or DEFAULT_FILENAME


def content_disposition(filename: str, content_type: str, *, download: bool = False) -> str:
    """``inline`` for image types a browser shows safely, ``attachment`` otherwise or when asked.

    The name goes twice (RFC 6266): an ASCII ``filename`` for old clients,
    and the exact one as ``filename*`` in UTF-8, percent-encoded (RFC 8187).
    """
    kind = "inline" if content_type in INLINE_TYPES and not download else "attachment"
    exact = quote(filename, safe="!#$&+-.^_`|~")
    return f"{kind}; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{exact}"
