"""The worker and the scheduler as companions of ``serve`` (``make run`` with REDIS_URL set).

They start with the web process and stop with it; if one of them dies, the whole set stops,
so a half-running installation never looks healthy.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)
COMMANDS = (("worker",), ("scheduler",))
STOP_TIMEOUT = 10  # seconds a companion gets to finish its job before it is killed


@contextmanager
def companions() -> Iterator[list[subprocess.Popen]]:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    # Each in a process group of its own: stopping the group also stops what it forked
    # (the RQ scheduler beside the worker), even when the worker itself died.
    processes = [
        subprocess.Popen([*flask, *command], start_new_session=True) for command in COMMANDS
    ]
    stopping = threading.Event()

    def watch(process: subprocess.Popen) -> None:
        code = process.wait()
        if not stopping.is_set():
            log.error("%s exited with %s: stopping Exitloop", " ".join(process.args[4:]), code)
            os.kill(os.getpid(), signal.SIGINT)

    for process in processes:
        threading.Thread(target=watch, args=(process,), daemon=True).start()
    # SIGTERM (a process manager's stop) ends the web server like Ctrl+C, so that the
    # companions are stopped below rather than orphaned.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield processes
    finally:
        signal.signal(signal.SIGTERM, previous)
        stopping.set()
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has already gone
        os.killpg(process.pid, signum)
