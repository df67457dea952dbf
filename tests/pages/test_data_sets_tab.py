"""The Data page's saved datasets: after Rename, Change the currency or Delete the merchant
stays on "Your datasets" and reads the confirmation there. The page went back to "Upload an
export" (its tabs had no state, so the rerun drew them on their first tab) and said
"Renamed." above it (seen in Chromium). The open tab is now the session's
(``data_page.K_TAB``), set to "Your datasets" by the action."""

from __future__ import annotations

import pytest

from ecomdash.i18n import _, use_lang
from ecomdash.ui.data_page import K_TAB
from tests.pages.conftest import run_page

DONE = {
    "rename": {"en": "Renamed.", "zh": "已重命名。"},
    "delete": {"en": "Deleted.", "zh": "已删除。"},
}


def _act(at, action: str, ds: str):
    if action == "rename":
        at.text_input(key=f"rename_{ds}").set_value("另一个名字 Another name")
        at.button(key=f"do_rename_{ds}").click().run()
    elif action == "currency":
        [box] = [s for s in at.selectbox if s.key and s.key.startswith(f"currency_{ds}_")]
        box.set_value("EUR").run()
        at.button(key=f"do_cur_{ds}").click().run()
    else:
        at.checkbox(key=f"sure_{ds}").check().run()
        at.button(key=f"del_{ds}").click().run()
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("action", ["rename", "currency", "delete"])
def test_a_dataset_action_keeps_the_datasets_tab_open(demo_dataset, lang, action):
    at = run_page("data.py", dataset_id=demo_dataset.id, lang=lang)
    assert not at.exception, at.exception
    at = _act(at, action, demo_dataset.id)
    assert not at.exception, at.exception
    with use_lang(lang):
        upload, sets = _("Upload an export"), _("Your datasets")
        said = DONE[action][lang] if action in DONE else None
    assert at.session_state[K_TAB] == sets
    tab_up, tab_sets = at.tabs[0], at.tabs[1]
    assert (tab_up.label, tab_sets.label) == (upload, sets)
    inside = [s.value.replace("\\", "") for s in tab_sets.success]  # Markdown-escaped
    assert len(inside) == 1, inside
    if said is not None:
        assert inside == [said]
    else:  # the currency's: "The amounts are now in Euro (EUR)." / 欧元
        assert "EUR" in inside[0], inside
    # said once, in the tab that stays open: not above the tabs, not on the upload tab
    assert [s.value.replace("\\", "") for s in at.success] == inside
    assert not tab_up.success
    # the next run (any widget) keeps the tab open and the confirmation is gone
    at.run()
    assert at.session_state[K_TAB] == sets and not at.success


def test_a_renamed_dataset_is_sent_anew_to_both_pickers(demo_dataset):
    """After Rename the table said "Spring shop" but the Dataset picker under it still showed
    "jan_mar (+1) (651a…)" (Chromium): Streamlit keeps a selectbox's shown text when only its
    format_func's output changes. The rename sets the picker's value again, so it is sent
    with ``set_value``, which makes the browser show the new name (seen in Chromium, and the
    sidebar's picker of the dataset open in the dashboard likewise; AppTest runs the page
    without the sidebar)."""
    at = run_page("data.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    at = _act(at, "rename", demo_dataset.id)
    assert not at.exception, at.exception
    [box] = [s for s in at.selectbox if s.key == "manage_pick"]
    assert box.value == demo_dataset.id
    assert box.proto.set_value
    assert box.proto.options[box.proto.default].startswith("另一个名字 Another name")
