import gc
import sys

import pytest

from backrest.tracebacks import let_go


class Held:
    """An object that holds the error raised beside it, as a request holds ``request.exception``."""

    error: BaseException | None = None


def boom(message: str = "") -> None:
    raise ValueError(message)


def fail(holder: Held) -> None:
    try:
        boom("first")
    except ValueError as first:
        holder.error = first
        raise KeyError("second") from first


def caught(holder: Held) -> KeyError:
    try:
        fail(holder)
    except KeyError as error:
        return error
    raise AssertionError


def test_an_error_let_go_leaves_no_cycle_through_its_frames():
    gc.collect()
    gc.disable()
    try:
        holder = Held()
        error = caught(holder)
        let_go(error)
        del holder, error
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_an_error_kept_is_a_cycle():
    gc.collect()
    gc.disable()
    try:
        holder = Held()
        caught(holder)
        del holder
        assert gc.collect() > 0
    finally:
        gc.enable()


def test_the_errors_it_came_from_lose_their_tracebacks_and_its_message_stays():
    error = caught(Held())
    let_go(error)
    assert (error.__traceback__, error.__cause__.__traceback__) == (None, None)
    assert str(error.__cause__) == "first"


def test_a_running_frame_keeps_its_locals():
    kept = "mine"
    try:
        boom(kept)
    except ValueError as error:
        let_go(error)
    assert sys._getframe().f_locals["kept"] == "mine"


def test_a_suspended_generator_above_is_not_closed():
    def steps():
        try:
            boom()
        except ValueError as error:
            found = error
        yield found
        yield "still open"

    walk = steps()
    let_go(next(walk))
    assert next(walk) == "still open"


def test_nothing_to_let_go():
    let_go(None)
    with pytest.raises(ValueError, match="x") as raised:
        raise ValueError("x")
    let_go(raised.value)
    assert raised.value.__traceback__ is None
