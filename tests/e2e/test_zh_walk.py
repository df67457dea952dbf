"""The app in Chinese in a real browser: a first start at ``/?lang=zh`` on an empty store creates
the Chinese demo merchant; every page of the navigation is opened by its Chinese name, must not
raise, and the English words left on screen are collected with the rule of
``tests/pages/zh_walk.py``.

Asserted on every page: the frame (sidebar and the page's title) has no English left. Asserted
for the pages of :data:`ZH_PAGES` only: the whole main area has none. Until every translator's
branch is merged the other pages still show English: the walk writes what it found per page
to ``test-output/e2e/zh-walk.txt``; the integrator adds a page to ``ZH_PAGES`` once its list is
empty.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import (
    OUT,
    browser_page,
    cut_metric_labels,
    open_app,
    screenshot,
    start_server,
    stop_server,
    table_widths,
    wait_for_app_run,
)
from tests.pages.zh_walk import _english_words

#: The pages in navigation order, by their Chinese names (frame.po).
NAV = [
    "首页",
    "概览",
    "数据",
    "购物篮分析",
    "预测与补货",
    "客户分群",
    "客户价值",
    "商品推荐",
    "定价与促销",
    "异常提醒",
]
#: Pages whose whole main area is checked for English (extend after merging each page's
#: translation; the frame is checked on every page regardless).
ZH_PAGES: tuple[str, ...] = tuple(NAV)
#: Pages whose title the page sets itself, not page_setup's translated title: the Home's is
#: pages/home.py's ``N_("What to do this week")``, the Data page's ``st.title("Data")`` in pages/data.py
#: (their translators' files). Remove a page from here once its title is translated.
OWN_TITLES: tuple[str, ...] = ()

#: The tabs whose tables the walk measures in a 1280 px window, per page (None: the page as
#: it opens): each drawn table within its border, not a pixel to scroll sideways. Before,
#: the forecast table ran 49 px past it, the backtest per model 240, the basket's top rules
#: 3 and a product's "Who to target" 1 (Chromium).
FIT_TABS = {
    "购物篮分析": ("图表",),
    "预测与补货": (None, "各模型回测"),
    "商品推荐": ("按商品推荐", "效果如何？"),
}

#: Shown on purpose in English: the language picker's bilingual label and the name English
#: gives itself (a merchant who cannot read the current language still finds the switch).
BILINGUAL = ("Language · 语言", "English")
#: Text Streamlit's own front end writes, which the app cannot translate: the date input's
#: empty-field mask. (The file uploader's button and size line are drawn in Chinese by
#: ecomdash.ui.uploader: shown in English again, they are English left on the page.)
STREAMLIT_OWN = re.compile(r"^(yyyy|mm|dd)$")


def english_lines(text: str, data_values: tuple[str, ...] = ()) -> list[str]:
    """The lines of ``text`` with English words (zh_walk's rule), bilingual lines aside and
    the merchant's own values (``data_values``, longest first) taken out of each line first:
    product ids (``TEX-271``) and any merchant text are the merchant's, not the UI's."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line in BILINGUAL or STREAMLIT_OWN.match(line):
            continue
        rest = line
        for v in data_values:
            rest = rest.replace(v, " ")
        if _english_words(rest):
            out.append(line)
    return out


@pytest.fixture(scope="module")
def merchant_values() -> tuple[str, ...]:
    """The Chinese demo's product names, ids, categories and provinces (the first start
    creates ``demo_zh.generate(7)``), longest first."""
    from ecomdash import demo_zh
    from ecomdash import schema as S

    lines = demo_zh.generate(7).lines
    values = set()
    for col in (S.PRODUCT_NAME, S.PRODUCT_ID, S.CATEGORY, S.COUNTRY):
        values |= {str(v) for v in lines[col].dropna().unique() if len(str(v)) > 1}
    return tuple(sorted(values, key=len, reverse=True))


def shown_text(page, locator) -> str:
    """``locator``'s visible text without Material icons (their ligature names, such as
    ``home`` or ``download``, are text in the DOM but an icon on screen)."""
    style = page.add_style_tag(
        content="[data-testid=stIconMaterial], [data-testid*=Icon] {display:none !important}"
    )
    try:
        return locator.inner_text()
    finally:
        style.evaluate("n => n.remove()")


def input_values(locator) -> list[str]:
    """What the inputs under ``locator`` show (a selectbox shows its choice in one)."""
    return locator.locator("input").evaluate_all("els => els.map(e => e.value)")


@pytest.fixture(scope="module")
def zh_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("zh_home")  # empty: the first start creates the demo
    proc, url = start_server(home, tmp_path_factory.mktemp("st_zh") / "server.log")
    yield url
    stop_server(proc)


@pytest.fixture
def zh_page(browser, zh_url):
    """A fresh browser session watching this test's own server (requests elsewhere are
    external)."""
    with browser_page(browser, zh_url) as pg:
        yield pg


def _nav(page, name: str) -> None:
    """Click the navigation link shown as ``name`` (its DOM text also holds the icon's name)."""
    nav = page.get_by_test_id("stSidebarNavLink")
    [i] = [i for i in range(nav.count()) if shown_text(page, nav.nth(i)).strip() == name]
    nav.nth(i).click()
    wait_for_app_run(page, timeout=240_000)


def test_every_page_in_chinese(zh_page, zh_url, merchant_values):
    page = zh_page
    page.set_default_timeout(240_000)
    open_app(page, zh_url + "/?lang=zh")
    wait_for_app_run(page, timeout=240_000)
    sidebar = page.get_by_test_id("stSidebar")
    nav = sidebar.get_by_test_id("stSidebarNavLink")
    links = [shown_text(page, nav.nth(i)).strip() for i in range(nav.count())]
    assert links == NAV, links
    # the first start in Chinese created the Chinese demo merchant
    assert any("示例商家" in v for v in input_values(sidebar)), input_values(sidebar)
    # test-output/e2e/home-zh.png; the README's copy is refreshed on purpose, never by a test
    # run: tools/docs_shots.py (it rewrote docs/screenshots/home-zh.png on every run)
    screenshot(page, "home-zh")
    assert cut_metric_labels(page, 1280) == []  # the Home's tiles, none cut short

    found: dict[str, dict[str, list[str]]] = {}
    toolbar: dict[str, list[str]] = {}  # plotly's own toolbar tooltips, per page
    widths: dict[str, list[tuple[int, int]]] = {}  # the tables of FIT_TABS at 1280 px
    for name in NAV:
        _nav(page, name)
        assert page.get_by_test_id("stException").count() == 0, f"{name}: exception"
        main = page.get_by_test_id("stMain")
        title = main.locator("h1").first.inner_text().strip()
        found[name] = {
            "sidebar": english_lines(
                "\n".join([shown_text(page, sidebar), *input_values(sidebar)])
            ),
            "title": english_lines(title),
            "main": english_lines(shown_text(page, main), merchant_values),
        }
        toolbar[name] = main.locator(".modebar-btn").evaluate_all(
            "els => els.map(e => e.getAttribute('data-title') || '')"
        )
        slug = f"zh-{NAV.index(name):02d}"
        screenshot(page, slug)
        assert "lang=zh" in page.url, page.url  # the language stays in the URL
        for tab in FIT_TABS.get(name, ()):
            if tab:
                main.get_by_role("tab", name=tab, exact=True).first.click()
                wait_for_app_run(page, timeout=240_000)
            widths[f"{name} {tab or ''}"] = table_widths(page, shot=f"{slug}-fit-{tab or 0}")

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "zh-walk.txt").write_text(
        "\n".join(
            f"{name} [{where}]: {line}"
            for name, places in found.items()
            for where, lines in places.items()
            for line in lines
        ),
        encoding="utf-8",
    )
    frame = {
        n: places["sidebar"] + ([] if n in OWN_TITLES else places["title"])
        for n, places in found.items()
    }
    frame = {n: lines for n, lines in frame.items() if lines}
    assert frame == {}, frame
    pages = {n: found[n]["main"] for n in ZH_PAGES if found[n]["main"]}
    assert pages == {}, pages
    # plotly's toolbar speaks Chinese too (its locale travels in each chart's config)
    # Streamlit adds its own "Fullscreen" button to plotly's toolbar, with a fixed English title
    own = {"Fullscreen", "Close fullscreen"}
    assert sum(t not in own for ts in toolbar.values() for t in ts) >= 10, toolbar
    latin = {
        n: [t for t in ts if t not in own and not re.search("[\u4e00-\u9fff]", t)]
        for n, ts in toolbar.items()
    }
    assert {n: ts for n, ts in latin.items() if ts} == {}, latin
    overflow = {w: d for w, d in widths.items() if not d or any(c > s for c, s in d)}
    assert overflow == {}, overflow  # (content, shown) px of each table; none drawn: []
    assert page.watch.errors == [], page.watch.errors
    assert page.watch.external == [], page.watch.external
