"""Where CPU-heavy chunks run: in-process, on local processes, or on a Dask cluster.

Every heavy step is written as ``pmap(function, list_of_argument_tuples)`` with a
top-level function, so the same code runs serially in tests, over a process pool in the
demo and the verifier, and on Dask distributed with ``--scheduler``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Protocol

Tick = Callable[[], None] | None


class PMap(Protocol):
    def __call__(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], tick: Tick = None) -> list[Any]: ...


def serial_map(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], tick: Tick = None) -> list[Any]:
    out = []
    for a in args:
        out.append(fn(*a))
        if tick is not None:
            tick()
    return out


def _star(packed: tuple[Callable[..., Any], tuple[Any, ...]]) -> Any:
    fn, a = packed
    return fn(*a)


class ProcessMap:
    """A process pool kept for the life of a ``with`` block (workers stay warm)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: Executor | None = None

    def __enter__(self) -> PMap:
        if self.workers == 1:
            return serial_map
        self._pool = ProcessPoolExecutor(self.workers)
        pool = self._pool

        def pmap(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], tick: Tick = None) -> list[Any]:
            out = []
            for r in pool.map(_star, [(fn, a) for a in args]):
                out.append(r)
                if tick is not None:
                    tick()
            return out

        return pmap

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()


class DaskMap:
    """Runs chunks on a Dask distributed scheduler at ``address``."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._client: Any = None

    def __enter__(self) -> PMap:
        from distributed import Client

        self._client = Client(self.address, timeout="15s")
        client = self._client

        def pmap(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], tick: Tick = None) -> list[Any]:
            futures = [client.submit(fn, *a, pure=False) for a in args]
            out = []
            for f in futures:
                out.append(f.result())
                if tick is not None:
                    tick()
            return out

        return pmap

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()


def chunks(n: int, parts: int, minimum: int = 16) -> list[tuple[int, int]]:
    """Split ``range(n)`` into about ``parts`` contiguous ranges of at least ``minimum``."""
    if n == 0:
        return []
    parts = max(1, min(parts, (n + minimum - 1) // minimum))
    step = (n + parts - 1) // parts
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]
