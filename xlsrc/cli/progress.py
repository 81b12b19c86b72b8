"""The progress line of a running ``xlsrc`` command: what it is doing, for steps over a second.

A command names its steps with :func:`step`; :func:`_running` (used by
:func:`xlsrc.cli.main`) shows them through :class:`_Progress`, a tqdm line on stderr when
stderr is a terminal, cleared before any output. The last step named is what an
interruption message says the command was doing (:mod:`xlsrc.cli.interruption`).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from xlsrc.cli.output import PROG

#: Seconds a step runs before its progress line appears (a fast command shows nothing).
PROGRESS_DELAY = 1.0
#: Commands that draw a progress bar of their own (the progress line stays off).
OWN_PROGRESS = frozenset({"refresh"})


class _Progress:
    """One line on stderr saying what the command is doing, for steps over a second.

    A tqdm bar (``delay=PROGRESS_DELAY``, ``leave=False``) shows ``xlsrc: <step>
    (<elapsed>)``; a daemon thread ticks it so that it appears, and its clock moves, while
    one long call (loading the market) holds the main thread. It is only shown when
    ``stream`` is a terminal. While it is shown, ``sys.stdout`` and ``sys.stderr`` pass
    through a proxy that clears the line before the first write, so output never lands
    on the progress line; the proxies are removed on exit. With ``draw=False`` (a command
    that draws a bar of its own: two tqdm bars would take two lines) it only records the
    step, for the interruption message.
    """

    TICK = 0.2

    def __init__(self, stream: Any = None, delay: float | None = None, draw: bool = True) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.draw = draw
        self.bar: Any = None
        self.text = ""
        self._stop = threading.Event()
        self._drawing = threading.Lock()  # a redraw never follows the clearing
        self._thread: threading.Thread | None = None
        self._saved: tuple[Any, Any] | None = None

    def _enabled(self) -> bool:
        if not self.draw:
            return False
        isatty = getattr(self.stream, "isatty", None)
        try:
            return bool(isatty and isatty())
        except (OSError, ValueError):  # a closed stream
            return False

    def __enter__(self) -> _Progress:
        if not self._enabled():
            return self
        from tqdm import tqdm

        self.bar = tqdm(
            total=None,
            file=self.stream,
            delay=self.delay,
            leave=False,
            bar_format="{desc} ({elapsed})",
            desc=f"{PROG}: working",
            mininterval=self.TICK,
        )
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _ClearsProgress(sys.stdout, self)
        sys.stderr = _ClearsProgress(sys.stderr, self)
        self._thread = threading.Thread(target=self._tick, name="xlsrc-progress", daemon=True)
        self._thread.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(self.TICK):
            self.show()

    def show(self) -> None:
        """Redraw the line if the delay has passed (the ticking thread calls this)."""
        with self._drawing:
            if self.bar is not None:
                self.bar.update(0)  # tqdm draws only after ``delay`` and ``mininterval``

    def step(self, text: str) -> None:
        """Say what the command does now (shown only if it takes over the delay)."""
        self.text = text
        with self._drawing:
            if self.bar is not None:
                self.bar.set_description_str(f"{PROG}: {text}", refresh=False)

    def close(self) -> None:
        """Stop the clock and clear the line (idempotent)."""
        self._stop.set()
        with self._drawing:
            bar, self.bar = self.bar, None
            if bar is not None:
                bar.close()

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self._thread is not None:
            self._thread.join(timeout=self.TICK * 5)
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None


class _ClearsProgress:
    """A text stream that clears the progress line before its first write."""

    def __init__(self, stream: Any, progress: _Progress) -> None:
        self._stream = stream
        self._progress = progress

    def write(self, text: str) -> int:
        self._progress.close()
        return int(self._stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_CURRENT: list[_Progress] = []


def step(text: str) -> None:
    """Name the step the running command is in, for its progress line (no-op without one)."""
    if _CURRENT:
        _CURRENT[-1].step(text)


@contextmanager
def _running(progress: _Progress) -> Iterator[_Progress]:
    """Run a command under ``progress``: :func:`step` names its steps."""
    with progress:
        _CURRENT.append(progress)
        try:
            yield progress
        finally:
            _CURRENT.remove(progress)
