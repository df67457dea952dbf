"""``--lang en|zh`` on the commands that printed only English (``ecomdash segment``,
``pricing``, ``forecast``, ``restock``), as ``clv`` / ``churn`` have it: one shared option
(``ecomdash.cli.common.add_lang_arg`` / ``text_lang``), the human lines from the message
catalogue in the language asked for, ``--json`` English and raw whatever ``--lang`` says.

Run on a small generated demo (``ecomdash demo --lines 2e4``) saved once per module in its
own ``ECOMDASH_HOME``."""

from __future__ import annotations

import json
import re

import pytest

from ecomdash.cli import main
from ecomdash.i18n import fmt
from ecomdash.text_width import text_width

NB = fmt.NBSP

#: English words a Chinese human line must not keep (a raw id in a table cell is data)
ENGLISH = re.compile(
    r"\b(customers|products?|orders|weeks|units|revenue|model|note|interval|levels|"
    r"promotions?|found|check|ahead|period|mean|band|Restock|lead time|service level|"
    r"Decision-tree|clusters|As of|Forecast|per day|off|lift|dip|What-if)\b"
)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli_lang")
    mp = pytest.MonkeyPatch()
    mp.setenv("ECOMDASH_HOME", str(home))
    try:
        assert main(["demo", "--lines", "2e4", "--name", "x"]) == 0
    finally:
        mp.undo()
    return home


@pytest.fixture
def home(demo_home, monkeypatch, capsys):
    monkeypatch.setenv("ECOMDASH_HOME", str(demo_home))
    capsys.readouterr()  # the demo's own lines
    return demo_home


def _run(capsys, argv: list[str]) -> str:
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _english_left(text: str) -> list[str]:
    return [line for line in text.splitlines() if ENGLISH.search(line)]


def _json_is_the_same(capsys, argv: list[str]) -> None:
    """--json prints the same object with --lang zh as without (English notes, raw ids)."""
    en = json.loads(_run(capsys, [*argv, "--json"]))
    zh = json.loads(_run(capsys, [*argv, "--json", "--lang", "zh"]))
    en.pop("seconds", None), zh.pop("seconds", None)
    assert zh == en


def test_segment_speaks_chinese(home, capsys):
    argv = ["segment", "--dataset", "x"]
    en = _run(capsys, argv)
    zh = _run(capsys, [*argv, "--lang", "zh"])
    assert en.startswith("As of ") and " customers (" in en.splitlines()[0]
    first = zh.splitlines()[0]
    assert first.startswith("截至") and f"{NB}位客户（" in first and "个游客订单未计入" in first
    lines = zh.splitlines()
    head = next(i for i, x in enumerate(lines) if x.startswith("分群"))
    assert lines[head + 1].startswith("核心客户")  # the RFM segment's name, translated
    assert any(x.startswith("k-means：k = ") for x in lines)
    assert any(x.startswith("决策树规则与聚类一致的比例为\u00a0") for x in lines)
    assert any(f"{NB}位客户，占销售额{NB}" in x for x in lines)
    assert _english_left(zh) == []
    _json_is_the_same(capsys, argv)


def test_pricing_speaks_chinese(home, capsys):
    argv = ["pricing", "--dataset", "x", "--product", "TEX-10381", "--change", "-5"]
    en = _run(capsys, argv)
    assert en.startswith("Price elasticity: 1 product from its own price history, ")
    assert "note: Profit needs a cost: pass --margin (a % of the current price)." in en
    zh = _run(capsys, [*argv, "--lang", "zh"])
    lines = zh.splitlines()
    assert lines[0].startswith(f"价格弹性：1{NB}个商品来自自身的价格历史，"), lines[0]
    head = next(x for x in lines if x.startswith("商品 "))
    assert f"90{fmt.pct_sign('zh')} 区间" in head and head.endswith("来源 / 原因")
    assert any(x.startswith("自") and "起的留出检验" in x for x in lines)
    assert any(x.startswith("发现的促销：") and x.endswith(f"{NB}次") for x in lines)
    assert "调价\u00a0-5% 的假设分析：" in lines
    what_if = next(x for x in lines if x.startswith("  Throw Blanket – Herringbone (TEX-10381)："))
    assert "每周件数\u00a0" in what_if and "的最佳价格：" in what_if
    assert any(x.startswith("注：计算利润需要成本：请用 --margin") for x in lines)
    # the product's own name is merchant text: the rest reads Chinese
    assert _english_left(zh.replace("Throw Blanket – Herringbone", "")) == []
    _json_is_the_same(capsys, argv)


def test_forecast_speaks_chinese(home, capsys):
    argv = ["forecast", "--dataset", "x"]
    en = _run(capsys, argv)
    assert en.startswith("Forecast of revenue per day, 14 ahead; model: ")
    zh = _run(capsys, [*argv, "--lang", "zh"])
    lines = zh.splitlines()
    assert lines[0].startswith(f"按日预测销售额，向前\u00a014{NB}期；模型："), lines[0]
    assert lines[1].startswith("回测中，")  # the verdict, as the page says it
    head = next(x for x in lines if x.startswith("模型 "))
    assert "MASE" in head and head.endswith("覆盖率95")
    # each row's figures stay under their header (a Chinese header is two columns a character)
    row = lines[lines.index(head) + 1]
    assert text_width(row) == text_width(head), (head, row)
    period = next(x for x in lines if x.startswith("期间 "))
    assert f"80{fmt.pct_sign('zh')} 区间" in period and "预测值" in period
    assert _english_left(zh) == []
    _json_is_the_same(capsys, argv)


def test_restock_speaks_chinese(home, capsys):
    argv = ["restock", "--dataset", "x", "--top", "5"]
    en = _run(capsys, argv)
    assert en.startswith("Restock plan as of ")
    zh = _run(capsys, [*argv, "--lang", "zh"])
    lines = zh.splitlines()
    assert (
        lines[0].startswith("截至")
        and f"（交货周期\u00a014{NB}天，服务水平\u00a095%）：" in lines[0]
    )
    assert lines[1].startswith("商品 ID") and "再订货点（件）" in lines[1]  # the page's headers
    assert "ABC × XYZ（商品数）：" in lines
    assert any(x.startswith("注：未提供库存") for x in lines)
    assert _english_left(zh) == []
    _json_is_the_same(capsys, argv)


@pytest.mark.parametrize("command", ["segment", "pricing", "forecast", "restock", "clv", "churn"])
def test_one_language_option_for_every_command(command, capsys):
    """The same option everywhere (common.add_lang_arg): en or zh, nothing else."""
    with pytest.raises(SystemExit):
        main([command, "--dataset", "x", "--lang", "fr"])
    err = capsys.readouterr().err
    assert "argument --lang: invalid choice: 'fr'" in err and "[--lang {en,zh}]" in err
