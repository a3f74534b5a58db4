r"""The clock's end-of-day bookkeeping as one compiled loop: the day's rows, capacity milestones, crashes.

After each daily step the engine copies the day's output (and capacity) into its trajectories,
finds the industries whose capacity came back within ``milestone_share`` of its reference
(below :math:`(1-m)\bar c` yesterday, not today) and the members whose stocks went negative for
the first time (BoARIO's crash quirk). As NumPy calls that is eight or nine calls a day of about a
microsecond each plus their temporaries; for a one-member 365-day run of the ``ario``
configuration on the Northeast table they were about a fifth of the run (issue 22). The loop
gives the same values (comparisons and copies only; ``tests/test_day_records.py``).
"""

from __future__ import annotations

from chainsim.engine.executor.jit import compiled

__all__ = ["day_records", "day_records_plain"]


@compiled
def day_records(t, n, x, capacity, out, cap, low, below, back, crashed, was_crashed):
    r"""Copy day t's rows and flag the milestones; returns (industries back within the share, members newly crashed).

    ``out[t] = x[:, :n]``, ``cap[t] = capacity[:, :n]`` (unless ``cap`` is None); ``back[b, j]``
    is whether industry j of member b was ``below`` (capacity under ``low``, (1 or B, n))
    yesterday and is not today; ``below`` becomes today's (a NaN capacity is not below, as
    ``np.less``). Members with ``crashed`` and not ``was_crashed`` are counted (``crashed`` None:
    none).
    """
    B = x.shape[0]
    n_back = 0
    for b in range(B):
        bl = b if low.shape[0] > 1 else 0
        for j in range(n):
            out[t, b, j] = x[b, j]
            c = capacity[b, j]
            if cap is not None:
                cap[t, b, j] = c
            now = c < low[bl, j]
            up = below[b, j] and not now
            back[b, j] = up
            if up:
                n_back += 1
            below[b, j] = now
    n_crash = 0
    if crashed is not None:
        for b in range(B):
            if crashed[b] and not was_crashed[b]:
                n_crash += 1
    return n_back, n_crash


#: The same loop uncompiled, for runs without numba (``day_records`` itself becomes numba's
#: dispatcher once called, which has no ``.py``).
day_records_plain = day_records.py
