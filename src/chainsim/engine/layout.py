"""Which layout a model gets, dense or sparse: the public :func:`build_model`.

:func:`chainsim.engine.model.build_model` builds the dense model (N² arrays of daily flows);
:func:`chainsim.engine.sparse.build_sparse_model` the sparse one (the ``ario`` configuration
with the flows as links). :func:`build_model` here chooses between them
(:func:`chainsim.engine.sparse.sparse_layout`) and is the one :mod:`chainsim.engine` exports,
so that ``simulate``, scenario runs, sweeps and scans all choose the same way.
"""

from __future__ import annotations

from chainsim.data.iotable import IOTable
from chainsim.engine import model as dense
from chainsim.engine.params import ModelParams
from chainsim.engine.sparse.model import build_sparse_model, sparse_layout

__all__ = ["build_model"]


def build_model(table: IOTable, params: ModelParams, *, layout: str = "auto") -> dense.EconomyModel:
    """Build the model of ``table`` with ``params`` in the layout asked for or chosen (``ARIO_SPEC.md`` §2).

    Parameters
    ----------
    table : IOTable
        A balanced table (annual flows); its ``Z`` may be scipy.sparse.
    params : ModelParams
        Behavioural parameters.
    layout : {"auto", "dense", "sparse"}
        ``"sparse"``: the flows as links, no N² array (:mod:`chainsim.engine.sparse`, the ``ario``
        configuration only); ``"dense"``: :func:`chainsim.engine.model.build_model`; ``"auto"``:
        sparse for a sparse table or a large sparse one (:func:`~chainsim.engine.sparse.sparse_layout`),
        else dense.

    Returns
    -------
    EconomyModel
        A :class:`~chainsim.engine.sparse.SparseModel` on the sparse layout.

    Raises
    ------
    ModelBuildError
        What the dense build raises; an unknown layout; a sparse layout with parameters it does
        not implement (the message lists them).
    """
    if sparse_layout(table, params, layout):
        return build_sparse_model(table, params)
    return dense.build_model(table, params)
