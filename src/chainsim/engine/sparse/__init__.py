"""The sparse layout for large tables: the ``ario`` configuration with its flows as links, memory O(links).

:mod:`~chainsim.engine.sparse.model` builds the model without N² arrays and chooses the layout
(:func:`~chainsim.engine.sparse.model.sparse_layout`); :mod:`~chainsim.engine.sparse.economy`
runs its day. ``docs/performance.md`` ("Large tables") has the measurements.
"""

from chainsim.engine.sparse.model import (
    LAYOUTS,
    SPARSE_MAX_DENSITY,
    SPARSE_MIN_INDUSTRIES,
    SparseModel,
    build_sparse_model,
    sparse_layout,
    unsupported,
)

__all__ = ["LAYOUTS", "SPARSE_MAX_DENSITY", "SPARSE_MIN_INDUSTRIES", "SparseModel", "build_sparse_model",
           "sparse_layout", "unsupported"]
