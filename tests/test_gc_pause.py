"""The garbage collector's pause while results are built, across threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from influxpy._utils import gc_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_overlapping_pauses_in_two_threads_keep_the_collector_off_until_the_last_ends(
    collector_on: None,
) -> None:
    inside = threading.Event()
    release = threading.Event()
    seen: list[bool] = []

    def second_reader() -> None:
        with gc_paused():
            inside.set()
            release.wait(timeout=30)
            seen.append(gc.isenabled())

    with gc_paused():
        worker = threading.Thread(target=second_reader)
        worker.start()
        assert inside.wait(timeout=30)
    # The first pause has ended while the second thread is still inside its own.
    assert not gc.isenabled()
    release.set()
    worker.join(timeout=30)
    assert seen == [False]
    assert gc.isenabled()


def test_nested_pauses_restore_the_collector_once(collector_on: None) -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_an_error_inside_still_ends_the_pause(collector_on: None) -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()
