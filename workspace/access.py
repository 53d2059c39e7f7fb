"""Who may do what on a shared deployment: per-project roles, checked on every write.

Without sign-in (the default) clusterlab is single-user and nothing here applies: a
:class:`~workspace.store.Store` has no :class:`Access` and every write is allowed. With
sign-in configured, the app gives its store an :class:`Access`; each write method of the
store then calls :func:`require` with the signed-in identity, so no page can skip it.

Roles, weakest first: ``viewer`` (look and export), ``reviewer`` (also name, accept, merge,
split, move and label; start runs), ``admin`` (also manage members, move or delete the
project). Whoever creates a project is its admin; the deployment's ``admins`` are admins of
every project; everyone else has ``default_role`` unless a project admin gave them another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clustering.errors import InputError

__all__ = ["ACTIONS", "ROLES", "Access", "AccessDeniedError", "require", "role_rank"]

ROLES = ("viewer", "reviewer", "admin")
ACTIONS = {"view": "viewer", "export": "viewer", "review": "reviewer", "run": "reviewer",
           "manage": "admin"}
"""The weakest role each kind of action needs."""

_WORDS = {"review": "changing the review (names, status, merges, moves, labels, undo)",
          "run": "starting a run", "manage": "managing the project (members, data, deletion)",
          "view": "viewing", "export": "exporting"}


class AccessDeniedError(InputError):
    """The signed-in user's role on a project does not allow the action."""


def role_rank(role: str) -> int:
    """0 for viewer, 1 reviewer, 2 admin."""
    if role not in ROLES:
        raise InputError(f"'{role}' is not a role; use one of {', '.join(ROLES)}.")
    return ROLES.index(role)


@dataclass(frozen=True)
class Access:
    """A deployment's sign-in policy.

    Parameters
    ----------
    admins : frozenset of str
        Identities (e-mail or subject) that are admins of every project.
    default_role : str
        The role of a signed-in user on a project that gave them none.
    """

    admins: frozenset[str] = field(default_factory=frozenset)
    default_role: str = "viewer"

    def __post_init__(self) -> None:
        role_rank(self.default_role)


def require(access: Access | None, members: dict[str, str], project: str, who: str | None,
            action: str) -> None:
    """Raise :class:`AccessDeniedError` unless ``who`` may do ``action`` on a project.

    Parameters
    ----------
    access : Access or None
        None: no sign-in configured, everything is allowed.
    members : dict
        The project's ``user -> role`` list.
    project : str
        The project's name (for the message).
    who : str or None
        The signed-in identity.
    action : str
        A key of :data:`ACTIONS`.
    """
    if access is None:
        return
    needed = ACTIONS[action]
    if not who:
        raise AccessDeniedError(f"Sign in first: {_WORDS[action]} needs the {needed} role.")
    role = "admin" if who in access.admins else members.get(who, access.default_role)
    if role_rank(role) < role_rank(needed):
        raise AccessDeniedError(
            f"You ({who}) are a {role} of project '{project}': {_WORDS[action]} needs the "
            f"{needed} role; ask one of its admins to give it to you.")
