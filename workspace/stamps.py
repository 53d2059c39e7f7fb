"""Who and when: the local user name and UTC time stamps the store writes."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

__all__ = ["now", "whoami"]


def now() -> str:
    """UTC time stamp, ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def whoami() -> str:
    """The local user name (fallback ``unknown``)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
