"""The exception types the pipeline raises, and how its messages name the bad-row settings."""

from __future__ import annotations

__all__ = ["DROP_INVALID", "DROP_INVALID_LABEL", "FILL_MISSING", "FILL_MISSING_LABEL", "Cancelled",
           "InputError", "InternalError"]

DROP_INVALID_LABEL = "Leave out rows with missing/infinite values or unreadable images"
"""The app's checkbox for ``drop_invalid`` (the Data page), as messages quote it."""
FILL_MISSING_LABEL = "Fill empty numeric cells"
"""The app's checkbox for ``fill_missing`` (the Data page), as messages quote it."""
DROP_INVALID = f"--drop-invalid; in the app, '{DROP_INVALID_LABEL}'"
"""How a message names the setting that leaves bad rows out, in the CLI's and the app's words
(messages read in the app named ``drop_invalid``, which no control there is called)."""
FILL_MISSING = f"--fill-missing; in the app, '{FILL_MISSING_LABEL}'"
"""How a message names the setting that fills empty numeric cells, in both front ends' words."""


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
