"""Sign-in and who is acting, in the app: Streamlit's own OpenID Connect sign-in (st.login, configured in
.streamlit/secrets.toml [auth]) and the users table's roles.

Every page passes through gate() (components.require_database calls it first thing):
- sign-in off (the default without an [auth] section, e.g. `make run` on a laptop): every page carries a visible
  "Demo" badge, and the visitor acts as the local operator;
- sign-in required without a working [auth] section: one plain line, and no figures;
- an anonymous visitor sees a sign-in page, or the pages made public (SAFERLEEDS_PUBLIC_PAGES, never Data in);
- a signed-in person whose provider does not vouch for their e-mail (email_verified, or Entra ID's xms_edov) is
  refused with a plain page, and the attempt is logged: an e-mail a person could set for themselves names nobody;
- a signed-in person who is not an active user sees who to ask, and the attempt is logged; nothing else.
A fragment (a part of a page that reruns on its own) skips the page's gate, so every fragment is made with
fragment() below, which checks the person again on each of its runs.
What a role may do is enforced where data is written (lib/ingest), not only here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Literal, ParamSpec
from urllib.parse import urlparse

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.area import current as current_area
from lib.core import config, roles
from lib.core.text import literal
from lib.ingest import batches, users
from lib.store import queries
from lib.ui.navigation import PAGES, PageEntry

ACTOR_KEY = "acting_person"
SIGNED_IN_KEY = "sign_in_logged"
# Pages listed in the sidebar only for those who may use them (each page still checks for itself).
RESTRICTED: dict[str, Callable[[roles.Actor], bool]] = {
    "data-in": lambda acting: roles.may_load_returns(acting) or roles.may_load_crime(acting),
    "catalogue": roles.may_manage_catalogue,
}
NEVER_PUBLIC = set(RESTRICTED)
DEMO = "Demo: sign-in is not configured, so anyone can change data"
UNVERIFIED = "unverified e-mail"  # the sign-in log's result for a refused, unverified address
P = ParamSpec("P")


def _auth() -> dict:
    """The [auth] section of the secrets, or {} when there is none (or no secrets file at all)."""
    try:
        section = st.secrets.get("auth", {})
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}
    return dict(section) if section else {}


def mode() -> Literal["required", "off"]:
    """Whether sign-in is required (SAFERLEEDS_SIGN_IN, else required exactly when [auth] is configured)."""
    chosen = config.get(config.SIGN_IN).strip().lower()
    if chosen in ("required", "off"):
        return chosen  # type: ignore[return-value]
    return "required" if _auth() else "off"


def _auth_problem() -> str | None:
    """What is missing from the [auth] section for sign-in to work, or None."""
    auth = _auth()
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    providers = [value for value in auth.values() if isinstance(value, dict)]
    if not auth.get("server_metadata_url") and not any(p.get("server_metadata_url") for p in providers):
        missing.append("server_metadata_url")
    if not auth.get("client_id") and not any(p.get("client_id") for p in providers):
        missing.append("client_id")
    return f"the [auth] section lacks {', '.join(missing)}" if missing else None


def public_pages() -> set[str]:
    """Page addresses anonymous visitors may see (never Data in)."""
    listed = {part.strip().strip("/") for part in config.get(config.PUBLIC_PAGES).split(",") if part.strip()}
    return listed - NEVER_PUBLIC - {"none"}


def _address() -> str:
    """The current page's address ("" for the home page): from the browser's URL, or (a page run on its own, as in
    AppTest) from the script being run."""
    try:
        url = st.context.url
    except (AttributeError, RuntimeError):
        url = None
    if url:
        return urlparse(url).path.strip("/").split("/")[-1]
    context = get_script_run_ctx()
    script = Path(context.main_script_path).as_posix() if context is not None else ""
    return next((page.address for page in PAGES if script.endswith(page.script)), "")


def _signed_in_email() -> str | None:
    """The signed-in person's e-mail, or None for an anonymous visitor."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or "")
    except (AttributeError, KeyError):
        pass
    return None


def _claim_true(value: object) -> bool:
    """A boolean claim as providers send it: true, or (some providers) the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _email_verified() -> bool:
    """Whether the identity provider vouches that the signed-in person owns their e-mail address: the standard
    email_verified claim is true or, where a provider sends no email_verified (Microsoft Entra ID), its optional
    xms_edov claim ("e-mail domain owner verified") is true. Anything else is unverified."""
    try:
        claims = dict(st.user.to_dict())
    except (AttributeError, KeyError):
        return False
    if "email_verified" in claims:
        return _claim_true(claims["email_verified"])
    return _claim_true(claims.get("xms_edov"))


def _log_sign_in(url: str, email: str, result: str) -> None:
    """Log this session's sign-in once."""
    if st.session_state.get(SIGNED_IN_KEY) != (email, result):
        users.record_sign_in(url, email, result)
        st.session_state[SIGNED_IN_KEY] = (email, result)


def gate(url: str) -> roles.Actor:
    """Who is acting on this page; stops the page (after saying why) for anyone who may not see it."""
    if mode() == "off":
        st.badge(DEMO, icon=":material/lock_open:", color="orange")
        acting = demo_operator()
    else:
        acting = _signed_in(url)
    st.session_state[ACTOR_KEY] = acting
    return acting


def _signed_in(url: str) -> roles.Actor:
    """With sign-in required: the signed-in user, an anonymous visitor of a public page, or a stopped page."""
    if problem := _auth_problem():
        st.error(
            f"Sign-in is required (SAFERLEEDS_SIGN_IN) but is not configured: {problem} in .streamlit/secrets.toml. "
            "The README's Sign-in section shows a complete example.",
            icon=":material/lock:",
        )
        st.stop()
    email = _signed_in_email()
    if email is None:
        if _address() in public_pages():
            st.button("Sign in", on_click=st.login, icon=":material/login:", key="sign_in_public")
            return roles.Actor("anonymous visitor", roles.PUBLIC)
        st.title(f"{current_area().board} dashboard")
        st.write("Sign in with your council account to see the dashboard.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:", key="sign_in")
        st.stop()
    if not _email_verified():
        _log_sign_in(url, email, UNVERIFIED)
        st.title("Your e-mail address is not verified")
        st.write(
            f"The sign-in service has not confirmed that {literal(email)} is yours, so the dashboard cannot tell who "
            f"you are. Nothing is shown. Ask the {current_area().partnership} performance team (a dashboard admin) to "
            "check the sign-in service's settings."
        )
        st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out_unverified")
        st.stop()
    acting = users.actor(url, email)
    if acting is None:
        record = queries.user_record(url, email)
        _log_sign_in(url, email, "inactive" if record else "not a user")
        st.title("You are signed in, but not a dashboard user")
        st.write(
            f"{literal(email)} is not on the dashboard's list of users{' (or no longer active)' if record else ''}. "
            f"Ask the {current_area().partnership} performance team (a dashboard admin) to add you with the role you "
            "need."
        )
        st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out_unknown")
        st.stop()
    _log_sign_in(url, acting.email, "signed in")
    st.sidebar.caption(f"Signed in as {literal(acting.email)} ({acting.role})")
    st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")
    return acting


def still_allowed(url: str) -> bool:
    """Whether the person on this page may still see it, checked afresh (for a fragment's own reruns, which skip the
    gate): sign-in off, an anonymous visitor of a public page, or a verified, active user (whose current role is
    then the one acting)."""
    if mode() == "off":
        return True
    email = _signed_in_email()
    if email is None:
        return _address() in public_pages()
    acting = users.actor(url, email) if _email_verified() else None
    if acting is None:
        return False
    st.session_state[ACTOR_KEY] = acting
    return True


def fragment(run_every: float | None = None) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """st.fragment, with the person checked again each time the fragment runs: someone deactivated (or signed out)
    while the page is open sees a line saying so, not the fragment's figures. Use it for every fragment."""

    def make(body: Callable[P, None]) -> Callable[P, None]:
        """The fragment of body, checked on each run."""

        @functools.wraps(body)
        def checked(*args: P.args, **kwargs: P.kwargs) -> None:
            """Body's output if the person may still see it, else one line saying their access has changed."""
            if not still_allowed(config.database_url()):
                st.warning("Your access has changed since this page opened: reload it.", icon=":material/lock:")
                return
            body(*args, **kwargs)

        return st.fragment(checked, run_every=run_every)

    return make


def current() -> roles.Actor:
    """Who is acting on this page (set by gate; the local operator before it has run)."""
    acting = st.session_state.get(ACTOR_KEY)
    return acting if isinstance(acting, roles.Actor) else demo_operator()


def demo_operator() -> roles.Actor:
    """Who acts in the app with sign-in off, named honestly in every record: anyone who reached the app, not the
    server's account ("root"), so the logs say "sign-in off (app running as root)"."""
    return roles.operator(f"sign-in off (app running as {batches.who()})")


def visibility(page: PageEntry) -> Literal["visible", "hidden"]:
    """Whether the sidebar lists a page for this visitor: Data in only for those who may load data, Catalogue only
    for admins; with sign-in
    required, anonymous visitors only the public pages (every page still checks for itself)."""
    if mode() == "off":
        return "visible"
    email = _signed_in_email()
    if email is None:
        return "visible" if page.address in public_pages() else "hidden"
    if page.address not in RESTRICTED:
        return "visible"
    if not _email_verified():
        return "hidden"
    acting = st.session_state.get(ACTOR_KEY)
    if not isinstance(acting, roles.Actor) or acting.email.lower() != email.lower():
        try:  # the first run of a session: the page's gate has not run yet
            acting = users.actor(config.database_url(), email)
        except Exception:  # noqa: BLE001 - a database problem is the page's to report, in words
            acting = None
    return "visible" if acting is not None and RESTRICTED[page.address](acting) else "hidden"
