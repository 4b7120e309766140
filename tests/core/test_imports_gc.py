"""``long_lived_frozen``: the collector leaves the objects older than the block alone and hands
them back afterwards; garbage made in the block is still collected; others' freezes stay."""

import gc
import weakref

import pytest

from wushe.core.imports import long_lived_frozen


class Node:
    def __init__(self) -> None:
        self.other: object = self  # a reference cycle: only the collector frees it


@pytest.fixture(autouse=True)
def nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezes_within_and_unfreezes_after():
    assert gc.get_freeze_count() == 0
    with long_lived_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_unfreezes_after_an_exception():
    with pytest.raises(RuntimeError), long_lived_frozen():
        raise RuntimeError
    assert gc.get_freeze_count() == 0


def test_garbage_made_within_is_collected_within():
    with long_lived_frozen():
        ref = weakref.ref(Node())
        gc.collect()
        assert ref() is None


def test_older_garbage_waits_for_the_end_and_is_then_collected():
    old = Node()
    ref = weakref.ref(old)
    with long_lived_frozen():
        del old
        gc.collect()
        assert ref() is not None  # frozen: left alone, not freed early
    gc.collect()
    assert ref() is None


def test_leaves_a_freeze_made_by_others_alone():
    # The count only falls as frozen objects die (their last reference dropped, which may
    # happen at any time): so the block neither froze more nor unfroze the others' objects.
    gc.freeze()
    frozen = gc.get_freeze_count()
    old = Node()  # made after the others' freeze: the block must not freeze it
    ref = weakref.ref(old)
    with long_lived_frozen():
        assert 0 < gc.get_freeze_count() <= frozen
        del old
        gc.collect()
        assert ref() is None  # not frozen by the block: collected as usual
    assert 0 < gc.get_freeze_count() <= frozen
