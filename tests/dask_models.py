"""Analytic sweep models for the Dask tests, top-level so that Dask pickles them by reference.

Cheap on purpose (a linear function of the factors): the tests exercise the coordinator's
handling of workers, not the engine. Behaviour on a worker is switched by environment
variables that only the test's worker processes get (``LocalCluster(env=...)``), so the same
model runs plainly in the test process for the serial reference.
"""

import os
import signal
import time

import numpy as np

#: path of a marker file: the first worker that finds it missing creates it and kills itself
DIE_ONCE = "CHAINSIM_TEST_DIE_ONCE"
#: a value of the first factor: a chunk holding it raises on the worker
FAIL_AT = "CHAINSIM_TEST_FAIL_AT"
#: seconds each chunk takes on a worker (so that a test can act while chunks are in flight)
CHUNK_SECONDS = "CHAINSIM_TEST_CHUNK_SECONDS"


def linear(X: np.ndarray) -> np.ndarray:
    time.sleep(float(os.environ.get(CHUNK_SECONDS, "0")))
    return X @ np.arange(1.0, X.shape[1] + 1.0)


def dies_once(X: np.ndarray) -> np.ndarray:
    marker = os.environ.get(DIE_ONCE)
    if marker and not os.path.exists(marker):
        with open(marker, "w"):
            pass
        os.kill(os.getpid(), signal.SIGKILL)
    return linear(X)


def fails_at(X: np.ndarray) -> np.ndarray:
    bad = os.environ.get(FAIL_AT)
    if bad is not None and np.isclose(X[:, 0], float(bad)).any():
        raise ValueError(f"x1 = {float(bad):.6g} is outside this model's domain")
    return linear(X)
