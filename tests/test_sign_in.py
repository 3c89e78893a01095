"""Sign-in in a real browser against a real OpenID Connect provider on loopback (oidc-provider-mock): anonymous
visitors see only the sign-in page; each role signs in and sees what it may; a lead loads their own KPIs and is
refused another priority's; a councillor has no Data in and their ward comes first; an unknown e-mail is told who
to ask; sign-out; a tampered or expired session cookie is refused (issue 16)."""

from __future__ import annotations

import re
import secrets

import pytest
from browser import ARTEFACTS, CHROMIUM_ARGS, REQUIRE_BROWSER, chromium_path

from lib.core import roles
from lib.ingest import kpi_returns, users
from lib.ops import replicas
from lib.store import queries

pytestmark = pytest.mark.browser

try:
    import oidc_provider_mock
    import playwright.sync_api as playwright_api
except ImportError as missing:
    if REQUIRE_BROWSER:
        raise
    pytest.skip(f"{missing.name} is a dev dependency: run `make install`", allow_module_level=True)

LEAD, COUNCILLOR, STRANGER = "lead@leeds.gov.uk", "cllr@leeds.gov.uk", "stranger@example.org"
HEADER = ",".join(kpi_returns.COLUMNS)


@pytest.fixture(scope="module")
def signed_in_app(seeded_templates, tmp_path_factory):
    """The app with sign-in required, configured for a mock OpenID Connect provider on loopback."""
    folder = tmp_path_factory.mktemp("sign-in")
    url = seeded_templates.sqlite_copy(folder)
    users.add(url, LEAD, roles.LEAD, "Domestic abuse lead", priorities=["2"])
    users.add(url, COUNCILLOR, roles.COUNCILLOR, wards=["E05011394"])
    for role in (roles.ADMIN, roles.ANALYST, roles.EXECUTIVE):
        users.add(url, f"{role}@leeds.gov.uk", role)
    port = replicas.free_port()
    cookie_secret = secrets.token_hex(32)
    with oidc_provider_mock.run_server_in_thread() as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{cookie_secret}"\n'
            'client_id = "safer-leeds-dashboard"\n'
            'client_secret = "not-a-real-secret"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        env = {"SAFERLEEDS_SIGN_IN": "required", "SAFERLEEDS_PUBLIC_PAGES": ""}
        options = [f"--secrets.files={secrets_file}"]
        with replicas.app_server(url, ARTEFACTS, env, port=port, extra_args=options) as (base, _):
            yield base, url, cookie_secret


@pytest.fixture(scope="module")
def chromium():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium):
    context = chromium.new_context(viewport={"width": 1440, "height": 1000})
    yield context.new_page()
    context.close()


def _signed_in_as(email: str) -> re.Pattern:
    """The sidebar's line (user text is shown literally: a word joiner keeps an address from becoming a link)."""
    local, domain = email.split("@")
    return re.compile(rf"Signed in as {re.escape(local)}\u2060?@{re.escape(domain)}")


def _sign_in(tab, base: str, email: str) -> None:
    """Sign in at the provider's form as `email` and come back to the app."""
    tab.goto(base)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_selector("input[name=sub]", timeout=30_000)
    tab.fill("input[name=sub]", email)
    tab.get_by_role("button", name="Authorize").click()
    tab.wait_for_url(re.compile(rf"^{re.escape(base)}/?(\?.*)?$"), timeout=30_000)
    tab.wait_for_selector("h1", timeout=30_000)


def test_an_anonymous_visitor_sees_only_the_sign_in_page(signed_in_app, tab):
    base, *_ = signed_in_app
    for path in ("", "ward-map", "data-in"):
        tab.goto(f"{base}/{path}")
        tab.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
        assert tab.locator("[data-testid='stMetricValue']").count() == 0
        assert "Safer Leeds Executive dashboard" in tab.locator("h1").first.inner_text()


def test_a_lead_signs_in_loads_their_own_kpis_and_is_refused_another_prioritys(signed_in_app, tab):
    base, url, _ = signed_in_app
    _sign_in(tab, base, LEAD)
    tab.get_by_text(_signed_in_as(LEAD)).wait_for(timeout=30_000)
    tab.locator("[data-testid='stMetricValue']").first.wait_for(timeout=30_000)
    tab.get_by_role("link", name="Data in").first.click()
    tab.wait_for_url(f"{base}/data-in**")
    upload = tab.locator("[data-testid='stFileUploaderDropzoneInput']").first
    mixed = f"{HEADER}\nDA_SAFETY_PLANS,2024-10-01,2024-10-31,,402,,,\nDS1_RESPONSE,2024-10-01,2024-10-31,,41,,,\n"
    upload.set_input_files(files=[{"name": "mixed.csv", "mimeType": "text/csv", "buffer": mixed.encode()}])
    tab.get_by_text(re.compile("also holds DS1_RESPONSE")).first.wait_for(timeout=30_000)
    assert tab.get_by_role("button", name=re.compile("^Import")).count() == 0
    own = f"{HEADER}\nDA_SAFETY_PLANS,2024-10-01,2024-10-31,,402,,,\n"
    upload.set_input_files(files=[{"name": "own.csv", "mimeType": "text/csv", "buffer": own.encode()}])
    tab.get_by_role("button", name=re.compile(r"Import 1 value")).click()
    tab.get_by_text(re.compile(r"own\.csv: success")).first.wait_for(timeout=60_000)
    log = queries.import_log(url)
    assert log.iloc[0][["file_name", "who", "status"]].tolist() == ["own.csv", LEAD, "success"]
    assert "signed in" in set(queries.sign_ins(url).query("email == @LEAD")["result"])
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="End session").click()  # the provider confirms the sign-out, then sends us back
    tab.goto(base)
    tab.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert tab.locator("[data-testid='stMetricValue']").count() == 0


def test_a_councillor_has_no_data_in_and_is_refused_at_its_address(signed_in_app, tab):
    base, *_ = signed_in_app
    _sign_in(tab, base, COUNCILLOR)
    tab.locator("[data-testid='stMetricValue']").first.wait_for(timeout=30_000)
    assert tab.locator("[data-testid='stSidebarNav']").get_by_text("Data in").count() == 0
    tab.goto(f"{base}/data-in")
    tab.get_by_text(re.compile("councillors read the dashboard but do not load data")).wait_for(timeout=30_000)
    assert tab.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0


def test_an_unknown_email_is_told_who_to_ask_and_the_attempt_is_logged(signed_in_app, tab):
    base, url, _ = signed_in_app
    _sign_in(tab, base, STRANGER)
    tab.get_by_text("You are signed in, but not a dashboard user").wait_for(timeout=30_000)
    assert tab.locator("[data-testid='stMetricValue']").count() == 0
    assert "not a user" in set(queries.sign_ins(url).query("email == @STRANGER")["result"])


def test_a_tampered_session_cookie_is_refused(signed_in_app, tab):
    base, *_ = signed_in_app
    _sign_in(tab, base, LEAD)
    tab.get_by_text(_signed_in_as(LEAD)).wait_for(timeout=30_000)
    cookies = tab.context.cookies()
    user_cookie = next(c for c in cookies if c["name"].startswith("_streamlit_user"))
    tampered = user_cookie["value"][:-6] + ("AAAAAA" if not user_cookie["value"].endswith("AAAAAA") else "BBBBBB")
    tab.context.add_cookies([{**user_cookie, "value": tampered}])
    tab.goto(base)
    tab.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert tab.locator("[data-testid='stMetricValue']").count() == 0


@pytest.mark.parametrize("role", [roles.ADMIN, roles.ANALYST, roles.EXECUTIVE])
def test_each_role_signs_in_and_sees_what_it_may(signed_in_app, tab, role):
    base, *_ = signed_in_app
    _sign_in(tab, base, f"{role}@leeds.gov.uk")
    tab.locator("[data-testid='stMetricValue']").first.wait_for(timeout=30_000)
    data_in = tab.locator("[data-testid='stSidebarNav']").get_by_text("Data in").count()
    assert data_in == (0 if role == roles.EXECUTIVE else 1), role


def test_a_councillors_own_ward_is_offered_first(signed_in_app, tab):
    base, *_ = signed_in_app
    _sign_in(tab, base, COUNCILLOR)
    tab.get_by_role("link", name="Ward profile").first.click()
    tab.wait_for_url(re.compile(r".*ward=E05011394.*"), timeout=30_000)  # Gipton & Harehills, their ward


def test_an_expired_session_cookie_is_refused(signed_in_app, tab):
    """The same signed identity, dated 40 days ago: past the sign-in cookie's 30-day life, so refused."""
    import time

    from itsdangerous import URLSafeTimedSerializer

    base, _, cookie_secret = signed_in_app
    _sign_in(tab, base, LEAD)
    tab.get_by_text(_signed_in_as(LEAD)).wait_for(timeout=30_000)
    cookie = next(c for c in tab.context.cookies() if c["name"] == "_streamlit_user")
    identity = URLSafeTimedSerializer(cookie_secret, salt=cookie["name"]).loads(cookie["value"])

    class Backdated(URLSafeTimedSerializer):
        def make_signer(self, salt=None):  # noqa: ANN001, ANN202 - itsdangerous's own signature
            signer = super().make_signer(salt)
            signer.get_timestamp = lambda: int(time.time()) - 40 * 86400
            return signer

    expired = Backdated(cookie_secret, salt=cookie["name"]).dumps(identity)
    tab.context.add_cookies([{**cookie, "value": expired}])
    tab.goto(base)
    tab.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert tab.locator("[data-testid='stMetricValue']").count() == 0
