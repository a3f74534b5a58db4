"""chainsim.procs.WorkerPool, the run's, attribution's, scan's and sweep's process pool: its workers leave Ctrl-C
to the coordinator, and leaving its ``with`` block by an exception stops them at once, whatever they were doing.

The end-to-end Ctrl-C tests of the commands are in tests/test_cli_interrupt.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from chainsim.procs import WorkerPool

ROOT = Path(__file__).resolve().parents[1]


def _sigint_disposition() -> object:
    return signal.getsignal(signal.SIGINT)


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_workers_ignore_ctrl_c_and_an_exception_stops_them_at_once():
    with WorkerPool(2) as pool:
        assert pool.submit(_sigint_disposition).result() == signal.SIG_IGN
        assert pool.submit(_sleep, 0.0).result() > 0  # a normal exit waits for the tasks, as the executor does
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt), WorkerPool(2) as pool:
        busy = [pool.submit(_sleep, 60.0) for _ in range(4)]
        time.sleep(0.5)  # both workers are into a 60 s task, two tasks are queued
        workers = list(pool._processes.values())
        raise KeyboardInterrupt
    assert time.monotonic() - t0 < 10.0  # not the 60 s of the running tasks
    assert all(not w.is_alive() for w in workers)
    assert all(f.done() for f in busy)


# a worker killed while it sends its result: its first bytes are in the result pipe, the rest never comes
HALF_A_RESULT = textwrap.dedent("""
    import multiprocessing, struct, sys, time
    from pathlib import Path

    from chainsim.procs import WorkerPool

    def half_a_result(flag):
        # a forked worker holds a copy of the coordinator's pool, its result pipe's write end included
        POOL._result_queue._writer._send(struct.pack("!i", 1 << 20) + b"x" * 100)  # 100 bytes of 1 MiB
        Path(flag).write_text("sent")
        time.sleep(60)

    if __name__ == "__main__":
        flag = Path(sys.argv[1])
        try:
            with WorkerPool(1, mp_context=multiprocessing.get_context("fork")) as POOL:
                POOL.submit(half_a_result, str(flag))
                while not flag.exists():
                    time.sleep(0.01)
                time.sleep(0.3)  # the pool's thread has read the header and waits for the rest
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            print("stopped")
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks a worker")
def test_a_worker_killed_while_sending_its_result_does_not_hang_the_stop(tmp_path):
    # on the first version of WorkerPool.stop the pool's thread waited for the rest of the message for ever,
    # and the coordinator with it (3 of 3 tries); a real worker is killed mid-send when Ctrl-C comes while it
    # returns a pathway's run (megabytes)
    script = tmp_path / "half.py"
    script.write_text(HALF_A_RESULT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    try:
        done = subprocess.run([sys.executable, str(script), str(tmp_path / "flag")], capture_output=True, text=True,
                              env=env, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("stopping the pool hung on a half-sent result")
    assert done.returncode == 0 and done.stdout.strip() == "stopped", done.stderr
    assert "Traceback" not in done.stderr, done.stderr
