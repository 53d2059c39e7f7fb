"""The one exception type the pipeline raises for problems a user can fix."""

from __future__ import annotations

__all__ = ["Cancelled", "InputError", "InternalError"]


class InputError(ValueError):
    """Bad input described in one plain sentence: what is wrong and how to fix it.

    The CLI turns it into exit code 2, the app into ``st.error``. Raised before
    anything is written, so stored work is never touched by bad input.
    """


class Cancelled(Exception):  # noqa: N818 - reads as what happened, like StopIteration
    """Raised between steps when the user asked a run to stop."""


class InternalError(RuntimeError):
    """A bug in clusterlab, not a problem with the user's data or files.

    Raised where a damaged-file report would otherwise hide a code error; the traceback
    is logged where it is raised.
    """
