"""Sign-in for shared deployments (OIDC via ``st.login``) and the user → workspace mapping.

Without an ``[auth]`` section in ``.streamlit/secrets.toml`` the app runs single-merchant on the
``local`` workspace. With it, every page requires sign-in and each user works only in the
workspace the operator assigned in ``[workspaces]`` (email → workspace id); a signed-in user
with no assignment sees nothing but a message.
"""

from __future__ import annotations

import streamlit as st

from ecomdash.i18n import _
from ecomdash.store import DEFAULT_WORKSPACE, check_workspace


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def _assignments() -> dict[str, str]:
    try:
        table = st.secrets.get("workspaces", {})
    except Exception:
        return {}
    return {str(k).strip().lower(): str(v) for k, v in dict(table).items()}


def workspace_for_session() -> str:
    """The workspace of this browser session; stops the page with sign-in when needed."""
    if not auth_configured():
        return DEFAULT_WORKSPACE
    if not st.user.is_logged_in:
        st.title("ecomdash")
        st.write(_("Sign in to see your shop's data."))
        if st.button(_("Sign in"), type="primary"):
            st.login()
        st.stop()
    email = str(st.user.get("email") or "").strip().lower()
    workspace = _assignments().get(email)
    if not workspace:
        st.error(
            _(
                "Your account is signed in but not assigned to a merchant workspace yet. "
                "Ask the operator to add your email to [workspaces] in the app's secrets."
            )
        )
        if st.button(_("Sign out")):
            st.logout()
        st.stop()
    return check_workspace(workspace)
