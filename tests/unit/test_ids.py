"""Time-ordered ids: unique, ordered by time, and never repeated across a fork."""

from __future__ import annotations

import os

import pytest

from orgflow.ids import TimeOrderedIds


def test_ids_are_unique_hex_and_in_time_order() -> None:
    ids = TimeOrderedIds()
    made = [ids.new_id() for _ in range(5000)]  # more than one read of random bytes
    assert len(set(made)) == len(made)
    assert all(len(value) == 32 and int(value, 16) >= 0 for value in made)
    assert made == sorted(made)


def test_two_sources_do_not_collide() -> None:
    first, second = TimeOrderedIds(), TimeOrderedIds()
    made = [source.new_id() for _ in range(2000) for source in (first, second)]
    assert len(set(made)) == len(made)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_its_parents_next_ids() -> None:
    ids = TimeOrderedIds()
    ids.new_id()  # the parent now holds unread random bytes
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, ",".join(ids.new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        from_child = set(pipe.read().split(","))
    os.waitpid(child, 0)
    from_parent = {ids.new_id() for _ in range(50)}
    assert len(from_child) == 50
    # Same millisecond and sequence are possible; the random part must differ.
    assert {value[-15:] for value in from_child}.isdisjoint(value[-15:] for value in from_parent)
