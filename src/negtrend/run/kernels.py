"""A run's Jupyter kernel: launched as soon as the run is checked, stopped without waiting for
its interpreter to tear down.

papermill (through nbclient) would start the kernel only once it is imported and has read the
notebook, and stop it by asking it to shut down and waiting for the process to exit. Here the
runner launches the kernel first, so that it boots while the runner imports papermill and
prepares the HTML export, and hands it to papermill (``km=``), which then uses it as it is.

A kernel that has run a report holds a large heap (pandas, statsmodels, matplotlib): asked to
shut down, IPython resets its namespace and the interpreter collects garbage several times,
which took 1-3 s. Once the notebook has finished, the kernel is first told, silently (no
output, no history, nothing in the notebook), to freeze its heap (``gc.freeze()``: the
collector ignores every object that exists), then asked to shut down as before: it exits in
about 0.1 s, still running its exit handlers. Python never promised to finalise objects that
still exist at exit, so nothing that a clean exit does is lost. A run that was interrupted or
that lost its kernel is killed at once, as there is nothing of it to keep.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

FREEZE = "__import__('gc').freeze()"
FREEZE_WAIT_S = 10.0  # an idle kernel answers in milliseconds


class _Manager(AsyncKernelManager):
    """An AsyncKernelManager that remembers the clients it made (nbclient's included), so
    their channels can be closed when the runner, not nbclient, stops the kernel."""

    def client(self, **kwargs):
        made = super().client(**kwargs)
        self.__dict__.setdefault("_made_clients", []).append(made)
        return made

    def made_clients(self) -> list:
        return list(self.__dict__.get("_made_clients", []))


class RunKernel:
    """A kernel launched for one run; ``manager`` goes to papermill as ``km``."""

    def __init__(self, manager: _Manager):
        self.manager = manager
        self._stopped = False

    def stop(self, finished: bool) -> None:
        """``finished``: the notebook ran to its end or to a cell's error, and the kernel is
        idle (freeze, then a clean shutdown); otherwise it is killed. Never raises."""
        if self._stopped:
            return
        self._stopped = True
        run_sync(self._stop)(finished)

    async def _stop(self, finished: bool) -> None:
        manager = self.manager
        try:
            alive = await manager.is_alive()
            if alive and finished:
                await _freeze(manager)
            for client in manager.made_clients():
                client.stop_channels()
            if alive:
                await manager.shutdown_kernel(now=not finished)
            else:
                await manager.cleanup_resources()
        except Exception:  # noqa: BLE001 - a kernel that will not stop is killed
            with contextlib.suppress(Exception):  # it is gone already
                await manager.shutdown_kernel(now=True)


async def _freeze(manager: _Manager) -> None:
    """Run FREEZE in the idle kernel, silently; give up after FREEZE_WAIT_S."""
    client = manager.client()
    client.start_channels()
    try:
        msg_id = client.execute(FREEZE, silent=True, store_history=False,
                                allow_stdin=False)
        deadline = time.monotonic() + FREEZE_WAIT_S
        while (left := deadline - time.monotonic()) > 0:
            reply = await client.get_shell_msg(timeout=left)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return
    except Exception:  # noqa: BLE001 - no answer: the shutdown below still works
        return


def launch(kernel_name: str, cwd: Path) -> RunKernel:
    """Start ``kernel_name`` in ``cwd`` and return at once (the kernel boots on its own), with
    the arguments nbclient would give it."""
    manager = _Manager(kernel_name=kernel_name)
    extra = ["--HistoryManager.hist_file=:memory:"] if manager.ipykernel else []
    run_sync(manager.start_kernel)(extra_arguments=extra, cwd=str(cwd))
    return RunKernel(manager)
