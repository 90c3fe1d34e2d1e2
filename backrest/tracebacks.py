"""Letting go of what an error's traceback holds, once the error is answered.

A traceback holds its frames and their locals, and each finished frame its
caller's. Where one of those locals holds the error again (Pyramid's
request as ``request.exception``, colander's ``error`` as it gathers a
form's errors, pyramid_tm's ``exc_info``), the whole becomes a reference
cycle: the request, its body and its answer then wait for Python's cyclic
garbage collector instead of going when the answer leaves. Under load that
kept megabytes alive.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

_SUSPENDABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def let_go(error: BaseException | None) -> None:
    """Clear the locals of the finished frames ``error`` and the errors it came from went through.

    From where each was caught, the callers that have returned are cleared
    too, up to the first frame still running (the caller of this). A
    generator's frame is left alone: clearing it would close the generator,
    which is why ``traceback.clear_frames`` is not used.
    """
    while error is not None:
        tb = error.__traceback__
        error.__traceback__ = None
        if tb is not None:
            frame = tb.tb_frame.f_back
            while tb is not None:
                _clear(tb.tb_frame)
                tb = tb.tb_next
            while frame is not None and _clear(frame):
                frame = frame.f_back
        error = error.__cause__ or error.__context__


def _clear(frame: FrameType) -> bool:
    """Clear a finished frame's locals; ``False`` for a frame still running or a generator's."""
    if frame.f_code.co_flags & _SUSPENDABLE:
        return False
    try:
        frame.clear()
    except RuntimeError:
        return False
    return True
