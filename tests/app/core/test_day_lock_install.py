"""Every session factory gets the reviewed-day check, however many a process makes.

``install`` asked SQLAlchemy's ``event.contains``, whose registry is keyed by ``id()``: a new
factory at the address of a collected one was taken as guarded already. In a long process
(the test suite; the GUI after the first-run wizard or a demo build) most factories then had
no check, and a locked day's visit reached the database trigger as a raw IntegrityError
instead of the Chinese refusal.
"""

from __future__ import annotations

import gc

from sqlalchemy.orm import sessionmaker

from app.core import day_lock


def test_each_new_factory_is_guarded_even_at_a_reused_address() -> None:
    unguarded = 0
    addresses: set[int] = set()
    for n in range(300):
        factory: sessionmaker = sessionmaker()  # type: ignore[type-arg]
        addresses.add(id(factory))
        day_lock.install(factory)
        day_lock.install(factory)  # idempotent
        session = factory()
        hooks = list(session.dispatch.before_flush)
        unguarded += day_lock._before_flush not in hooks
        assert hooks.count(day_lock._before_flush) <= 1
        session.close()
        del factory, session
        if n % 5 == 0:
            # The youngest generation is enough to free the factories (automatic collection
            # is off in the tests) and costs nothing however big the suite's heap has grown.
            gc.collect(0)
    assert unguarded == 0
    assert len(addresses) < 300  # addresses were reused: the case the test is about
