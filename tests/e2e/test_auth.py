"""Sign-in for shared deployments, end to end and offline: an OIDC provider (the PyPI package
oidc-provider-mock) on loopback, two merchants in two browser contexts."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    GOTO_TIMEOUT,
    _free_port,
    open_app,
    screenshot,
    start_server,
    stop_server,
    wait_for_app_run,
)
from tests.e2e.test_security import upload_and_save

oidc = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock is a dev dependency")


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory):
    with oidc.run_server_in_thread(port=_free_port()) as provider:
        issuer = f"http://127.0.0.1:{provider.server_port}"
        port = _free_port()
        d = tmp_path_factory.mktemp("auth")
        secrets_file = d / "secrets.toml"
        secrets_file.write_text(
            f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "ecomdash-test"
client_secret = "{secrets.token_hex(8)}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"

[workspaces]
"alice@shop-a.example" = "shop-a"
"bob@shop-b.example" = "shop-b"
"""
        )
        proc, url = start_server(
            d / "home",
            d / "server.log",
            port=port,
            extra_args=["--secrets.files", str(secrets_file)],
        )
        yield url, issuer
        stop_server(proc)


def sign_in(browser, url: str, email: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    open_app(pg, url)
    expect(pg.get_by_text("Sign in to see your shop's data.")).to_be_visible()
    expect(pg.get_by_test_id("stMetric")).to_have_count(0)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_selector("input[name=sub]", timeout=30_000)
    pg.fill("input[name=sub]", email)
    pg.get_by_role("button", name="Authorize").click()
    pg.wait_for_url(re.compile(r"^" + re.escape(url)), timeout=30_000)
    pg.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
    wait_for_app_run(pg, timeout=120_000)
    expect(pg.get_by_test_id("stSidebar").get_by_text(email)).to_be_visible(timeout=60_000)
    return pg


def test_two_merchants_never_see_each_other(browser, auth_app, tmp_path):
    url, _ = auth_app
    a = sign_in(browser, url, "alice@shop-a.example")
    csv = tmp_path / "orders.csv"
    csv.write_text(
        "order_id,order_date,customer_id,product_id,product_name,quantity,unit_price\n"
        "a1,2024-05-01 10:00:00,c1,SECRET-A,Alice secret product,1,99\n"
    )
    upload_and_save(a, csv, "Alice private shop")
    a_url = a.url
    assert "dataset=" in a_url
    screenshot(a, "auth-alice")

    b = sign_in(browser, url, "bob@shop-b.example")
    sidebar = b.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Dataset").click()
    options = b.get_by_role("option").all_inner_texts()
    b.keyboard.press("Escape")
    assert options and not any("Alice" in o for o in options), options
    # Alice's dataset id in Bob's URL opens Bob's own data, never Alice's
    b.goto(url + "/?" + a_url.split("?", 1)[1], timeout=GOTO_TIMEOUT)
    wait_for_app_run(b, timeout=120_000)
    expect(b.get_by_text("Alice secret product")).to_have_count(0)
    expect(
        b.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^99\.00$"))
    ).to_have_count(0)
    screenshot(b, "auth-bob")

    # sign out: the browser then sees nothing of the merchant
    a.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    a.wait_for_timeout(1000)
    a.goto(a_url, timeout=GOTO_TIMEOUT)
    wait_for_app_run(a, timeout=60_000)
    expect(a.get_by_text("Sign in to see your shop's data.")).to_be_visible()
    expect(a.get_by_text("Alice private shop")).to_have_count(0)
    expect(a.get_by_test_id("stMetric")).to_have_count(0)
    screenshot(a, "auth-signed-out")
    for pg in (a, b):
        pg.context.close()


def test_unassigned_user_sees_nothing(browser, auth_app):
    url, _ = auth_app
    ctx = browser.new_context()
    pg = ctx.new_page()
    open_app(pg, url)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_selector("input[name=sub]", timeout=30_000)
    pg.fill("input[name=sub]", "mallory@nowhere.example")
    pg.get_by_role("button", name="Authorize").click()
    pg.wait_for_url(re.compile(r"^" + re.escape(url)), timeout=30_000)
    wait_for_app_run(pg, timeout=60_000)
    expect(pg.get_by_text("not assigned to a merchant workspace")).to_be_visible()
    expect(pg.get_by_test_id("stMetric")).to_have_count(0)
    ctx.close()
