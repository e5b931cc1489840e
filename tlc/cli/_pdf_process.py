"""Drawing the PDF card in a second process, while the photo is analysed.

Loading matplotlib, which draws the PDF card, takes about 0.4 s: half the
time of a whole analysis of a 12-megapixel photo. ``tlc analyse`` starts this
helper before it reads the photo, so that matplotlib loads on another core
while the photo is read and analysed; the card is then drawn there and its
bytes come back through a pipe. The command still writes every file itself,
whole or not at all.

The helper changes the time, never the result: where a process cannot be
forked (Windows; macOS, whose default start method is ``spawn``), where
``TLC_PDF_PROCESS=0`` is set, or when the helper fails in any way, the card
is drawn in the command's own process, as it would be without it.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from tlc.report.content import Card


class PdfProcess:
    """A second process that draws PDF cards: :meth:`render` as :func:`tlc.report.pdf.render`.

    Use it as a context manager; leaving it stops the process. A helper
    that cannot start is not an error: :meth:`render` then draws in this
    process.
    """

    def __init__(self) -> None:
        self._conn: Connection | None = None
        self._proc: Any = None
        if os.environ.get("TLC_PDF_PROCESS", "1") == "0":
            return
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            return
        # Fork, not spawn: the child starts at once with the modules already
        # loaded, instead of starting Python again. It is forked before
        # OpenCV loads (and starts its threads).
        ctx = multiprocessing.get_context("fork")
        # numpy is loaded first, once for both processes: the helper needs it
        # for matplotlib, the command for the photo, and while the helper
        # loads matplotlib both cores are busy (0.04 s saved on a 12 MP photo).
        import numpy  # noqa: F401

        try:
            here, there = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(there,), daemon=True, name="tlc-pdf")
            proc.start()
        except OSError:  # no process left, no pipe: draw here
            return
        there.close()
        self._conn, self._proc = here, proc

    @property
    def running(self) -> bool:
        """Whether a helper process was started (and no card sent to it yet)."""
        return self._conn is not None

    def render(self, card: Card, *, picture: Any, paper: str = "a4", image: str = "") -> bytes:
        """The card as PDF bytes, drawn by the helper if it runs, else here.

        Raises what :func:`tlc.report.pdf.render` raises (when drawn here).
        """
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.send((card, picture, paper, image))
                status, payload = conn.recv()
            except (OSError, EOFError, ValueError):
                status, payload = "failed", None
            finally:
                conn.close()
            if status == "ok" and isinstance(payload, bytes):
                return payload
        # No helper, or it failed: the same drawing here, so that an error
        # is raised (and reported) exactly as without a helper.
        from tlc.report import pdf

        return pdf.render(card, picture=picture, paper=paper, image=image)

    def close(self) -> None:
        """Stop the helper.

        After a card it is ending by itself; before one (the analysis
        failed) it may still be loading matplotlib, and is not waited for.
        """
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None

    def __enter__(self) -> PdfProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _serve(conn: Connection) -> None:
    # In the helper. Ctrl-C is the command's to report: the helper ignores it
    # and ends when the command closes the pipe. Nothing here may print: any
    # failure is sent back and the command draws the card itself.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from tlc.report import pdf

        pdf.warm_up()
        card, picture, paper, image = conn.recv()
    except BaseException:  # the pipe closed, or loading failed: the command draws
        return
    try:
        reply: tuple[str, Any] = (
            "ok",
            pdf.render(card, picture=picture, paper=paper, image=image),
        )
    except BaseException as exc:  # the command draws again, and reports it
        reply = ("error", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(reply)
    except (OSError, ValueError):
        pass
    finally:
        conn.close()
