"""ops/garbage.py: what a worker loaded at start is frozen out of the collector."""

from __future__ import annotations

import gc
import weakref

import pytest

from sms_gateway.ops import garbage

from .services import Gunicorn, manage, production_env


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> Node:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process goes on as it was


def test_objects_alive_at_freeze_are_no_longer_walked_and_later_garbage_is_collected(unfrozen):
    kept = cycle()
    frozen = garbage.freeze_loaded()

    assert frozen > 1000  # this process' modules and more
    # Not equal: a frozen object another thread drops (the test database's
    # connection pool, a timer) leaves the permanent generation when it is freed.
    assert gc.get_freeze_count() <= frozen
    tracked = {id(o) for g in range(3) for o in gc.get_objects(g)}
    assert id(kept) not in tracked and id(kept.other) not in tracked

    later = cycle()
    assert id(later) in {id(o) for o in gc.get_objects(0)}
    del later
    assert gc.collect() >= 2  # a cycle made after the freeze is still freed


def test_a_cycle_already_garbage_is_freed_before_the_freeze_not_frozen(unfrozen):
    gone = weakref.ref(cycle())  # unreachable, but only the collector frees a cycle
    assert gone() is not None
    garbage.freeze_loaded()
    assert gone() is None  # frozen, it would have lived as long as the process


@pytest.mark.parametrize(
    ("value", "on"),
    [(None, True), ("1", True), ("yes", True), ("0", False), ("off", False), (" False ", False)],
)
def test_gc_freeze_turns_it_off(value, on):
    assert garbage.enabled({} if value is None else {"GC_FREEZE": value}) is on


@pytest.mark.parametrize(("value", "frozen"), [(None, True), ("0", False)])
def test_a_gunicorn_worker_of_the_shipped_config_has_frozen_what_it_loaded(tmp_path, value, frozen):
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    if value is not None:
        env["GC_FREEZE"] = value
    result = manage(env, "setup")
    assert result.returncode == 0, result.stderr
    server = Gunicorn(env, tmp_path, app="tests.gc_probe_app")
    try:
        server.wait_ready()
        state = server.session.get(f"{server.url}/gc-probe", timeout=10).json()
    finally:
        server.stop()
    if frozen:
        # Django, the apps, the SDKs: far more than the objects still in the generations.
        assert state["frozen"] > 50_000
        assert state["frozen"] > 3 * sum(state["generations"])
    else:
        assert state["frozen"] == 0
