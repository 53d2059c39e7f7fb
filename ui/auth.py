"""Optional sign-in with Streamlit's ``st.login`` (OIDC), configured in secrets.

Without an ``[auth]`` section in ``.streamlit/secrets.toml`` the app is single-user as
before: the reviewer types a name for the audit trail. With it, nothing is shown until the
user signs in; "who" in the audit trail is the identity token's e-mail (or subject) and
cannot be typed, and the store enforces per-project roles (:mod:`workspace.access`) on every
write. The ``[clusterlab]`` section sets the deployment's ``admins`` (a list of e-mails) and
the ``default_role`` of everyone else (``viewer`` unless set)::

    [auth]
    redirect_uri = "https://clusters.example.org/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.org/.well-known/openid-configuration"

    [clusterlab]
    admins = ["ana@example.org"]
    default_role = "viewer"
"""

from __future__ import annotations

import streamlit as st

from clustering.errors import InputError
from workspace.access import Access

from .safe_text import md

__all__ = ["access_policy", "identity", "sign_in_gate", "sign_in_required"]


def _secrets_section(name: str) -> dict | None:
    try:
        return dict(st.secrets[name]) if name in st.secrets else None
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def sign_in_required() -> bool:
    """True when the deployment configured OIDC sign-in (``[auth]`` in secrets)."""
    return _secrets_section("auth") is not None


def access_policy() -> Access | None:
    """The deployment's role policy, or None when sign-in is not configured."""
    if not sign_in_required():
        return None
    settings = _secrets_section("clusterlab") or {}
    admins = settings.get("admins", [])
    if isinstance(admins, str):
        admins = [admins]
    try:
        return Access(admins=frozenset(str(a).strip() for a in admins),
                      default_role=str(settings.get("default_role", "viewer")))
    except InputError as exc:
        raise InputError(f"[clusterlab] default_role in secrets.toml: {exc}") from exc


def identity() -> str | None:
    """The signed-in user's e-mail (else their subject), or None."""
    if not sign_in_required() or not st.user.is_logged_in:
        return None
    return str(st.user.get("email") or st.user.get("sub") or "") or None


def sign_in_gate() -> None:
    """With sign-in configured: stop the page with a Sign in button until the user has
    signed in; afterwards show who they are and a Sign out button in the sidebar."""
    if not sign_in_required():
        return
    if not st.user.is_logged_in:
        st.title("clusterlab")
        st.write("This clusterlab is shared: sign in to see its projects.")
        st.button("Sign in", type="primary", on_click=st.login, key="sign_in")
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as {md(identity())}")
        st.button("Sign out", on_click=st.logout, key="sign_out")
