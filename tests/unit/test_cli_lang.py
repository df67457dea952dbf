"""``--lang en|zh`` on every command that prints human lines (``ecomdash segment``,
``pricing``, ``forecast``, ``restock``, ``clv``, ``churn``, ``basket``, ``alerts``,
``recommend``, ``kpis``, ``datasets``, ``ingest``, ``report``): one shared option
(``ecomdash.cli.common.add_lang_arg`` / ``text_lang``), the human lines from the message
catalogue in the language asked for, in the app page's words (model names, demand patterns,
severities, rules …), ``--json`` English and raw whatever ``--lang`` says; a refusal the app
translates (an unknown dataset, a bad parameter) is in that language too.

Run on a small generated demo (``ecomdash demo --lines 2e4``) saved once per module in its
own ``ECOMDASH_HOME``."""

from __future__ import annotations

import json
import re

import pytest

from ecomdash import labels as L
from ecomdash.cli import main
from ecomdash.i18n import _, fmt, use_lang
from ecomdash.labels import DEMAND_CLASSES
from ecomdash.text_width import text_width
from tests.unit.test_cli_data import CSV  # five UCI lines, one a duplicate

NB = fmt.NBSP

#: English words a Chinese human line must not keep (a raw id in a table cell is data)
ENGLISH = re.compile(
    r"\b(customers|products?|orders|weeks|units|revenue|model|note|interval|levels|"
    r"promotions?|found|check|ahead|period|mean|band|Restock|lead time|service level|"
    r"Decision-tree|clusters|As of|Forecast|per day|off|lift|dip|What-if|alerts?|rule|"
    r"Driver|skipped|high|medium|low|itemsets|support|confidence|Top|bought|target|Trained|"
    r"tested|rows?|lines|Saved|kept|mapping|Cleaning|dropped|flagged|Wrote|sections|version|"
    r"smooth|erratic|intermittent|lumpy|Seasonal|naive|smoothing|Combination|sum|total)\b"
)
#: a forecast model's id (the JSON's) that the human lines must not show raw
MODEL_IDS = re.compile(r"\b(seasonal_naive|seasonal_mean|ets|sarimax|croston|combo|auto)\b")


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


@pytest.fixture(scope="module")
def product_names(demo_home) -> list[str]:
    """The demo's product names (merchant text, English in both languages), longest first."""
    from ecomdash.store import Store

    store = Store.open(demo_home)
    try:
        lines = store.load_lines(store.resolve("x").id, columns=["product_name"])
    finally:
        store.close()
    return sorted(set(lines["product_name"].dropna().astype(str)), key=len, reverse=True)


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return text


def _decimals(text: str) -> list[str]:
    """The figures with decimals, in order ("0.0118", "£815.76" → "815.76"): the same in both
    languages (a date or a count is written in each language's own way)."""
    return re.findall(r"\d[\d,]*\.\d+", text)


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
    for measured in ("seconds", "elapsed_s"):  # how long it took: measured again
        en.pop(measured, None), zh.pop(measured, None)
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
    assert any(x.startswith("K 均值聚类：k =\u00a0") for x in lines)
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
    assert any(x.startswith("自") and "起的验证期检验" in x for x in lines)
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
    # the models by the Forecast page's names (its "Chosen model" tile, its legends), never
    # their ids ("sarimax", "ets" …), in both languages; the JSON keeps the ids
    out = json.loads(_run(capsys, [*argv, "--json"]))
    for text, lang in ((en, "en"), (zh, "zh")):
        assert MODEL_IDS.findall(text) == [], text
        with use_lang(lang):
            chosen = L.model_label(out["model"], short=True)
            names = [L.model_label(m, short=True) for m in out["backtest"]]
        assert text.splitlines()[0].endswith(chosen)
        rows = text.splitlines()[4 : 4 + len(names)]
        assert [r.startswith(n + " ") for r, n in zip(rows, names, strict=True)] == [True] * len(
            names
        ), rows
    assert "季节性朴素法" in zh and "Seasonal naive" in en  # the page's words, translated
    assert _decimals(zh) == _decimals(en)  # the same backtest and forecast figures


def test_forecast_by_group_names_the_reconciliation_as_the_page(home, capsys):
    """The total's line names the reconciliation with the Forecast page's legend
    (``charts.forecast_groups.RECONCILED``), one translation: the CLI kept its own copy of
    the Chinese of ``forecast_groups.RECONCILIATIONS``; the models by the page's names."""
    from ecomdash.charts.forecast_groups import RECONCILED
    from ecomdash.i18n import catalogue

    argv = ["forecast", "--dataset", "x", "--by", "category", "--freq", "W"]
    en = _run(capsys, argv)
    zh = _run(capsys, [*argv, "--lang", "zh"])
    assert en.splitlines()[0].startswith("11 series of revenue per week by category, ")
    assert en.splitlines()[2].startswith(f"total: {RECONCILED['mint_diag']}, MAE ")
    with use_lang("zh"):
        legend, category = _(RECONCILED["mint_diag"]), L.label("category")
    assert zh.splitlines()[0].startswith(f"按 {category} 分组的{NB}11{NB}个序列")
    assert zh.splitlines()[2].startswith(f"总计：{legend}，MAE")
    assert "MinT-diagonal (WLS by in-sample error variance)" not in catalogue("zh")  # no copy
    # the series' models by their names ("auto" in the English summary line is a word)
    assert MODEL_IDS.findall("\n".join(en.splitlines()[3:])) == [] and MODEL_IDS.findall(zh) == []
    # the figures after the first line (which says how long it took)
    assert _decimals(zh.split("\n", 1)[1]) == _decimals(en.split("\n", 1)[1])
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
    # the demand pattern and the model in the page's words (the JSON keeps the ids)
    plan = json.loads(_run(capsys, [*argv, "--json"]))["plan"]
    with use_lang("zh"):
        shown = [(_(DEMAND_CLASSES[p["demand_class"]]), L.model_label(p["model"])) for p in plan]
    rows = lines[2 : 2 + len(plan)]
    for row, p, (pattern, model) in zip(rows, plan, shown, strict=True):
        assert row.startswith(p["product_id"]) and f" {pattern} " in row and f" {model} " in row
    assert any(" smooth " in x for x in en.splitlines()[2:7])  # English's own word
    assert _decimals(zh) == _decimals(en)


COMMANDS = {
    **{
        c: [c, "--dataset", "x"]
        for c in (
            "segment",
            "pricing",
            "forecast",
            "restock",
            "clv",
            "churn",
            "basket",
            "alerts",
            "kpis",
        )
    },
    "recommend": ["recommend", "--dataset", "x", "--evaluate"],
    "datasets": ["datasets"],
    "ingest": ["ingest", "orders.csv"],
    "report": ["report", "--dataset", "x", "--out", "r.html"],
    "demo": ["demo", "--lines", "5e3", "--name", "x"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_one_language_option_for_every_command(command, capsys):
    """The same option everywhere (common.add_lang_arg): en or zh, nothing else."""
    with pytest.raises(SystemExit):
        main([*COMMANDS[command], "--lang", "fr"])
    err = capsys.readouterr().err
    assert "argument --lang: invalid choice: 'fr'" in err and "[--lang {en,zh}]" in err


def test_basket_speaks_chinese(home, capsys, product_names):
    """The Basket analysis page's words (its rules table's column names, its notes); the same
    figures in both languages."""
    argv = ["basket", "--dataset", "x", "--top", "5"]
    en = _run(capsys, argv)
    zh = _run(capsys, [*argv, "--lang", "zh"])
    out = json.loads(_run(capsys, [*argv, "--json"]))
    n, count = f"{out['n_baskets']:,}", f"{out['min_count']:,}"
    assert en.startswith(f"{n} orders; min support 0.01 = in at least {count} orders.\n")
    lines = zh.splitlines()
    assert lines[0] == f"{n}{NB}个订单；最小支持度{NB}0.01 = 至少出现在{NB}{count}{NB}个订单中。"
    assert lines[1].startswith(f"{out['n_itemsets']}{NB}个频繁项集，{out['n_rules']}{NB}条规则")
    head = lines[3].split()
    assert head == ["支持度", "置信度", "提升度", "规则（如果", "→", "那么）"], head
    assert _english_left(_without(zh, product_names)) == []

    # the same figures (but the time it took, measured again: line 2)
    def figures(text: str) -> list[str]:
        return _decimals("\n".join(text.splitlines()[:1] + text.splitlines()[2:]))

    assert figures(zh) == figures(en)
    assert len(_decimals("\n".join(en.splitlines()[4:]))) == 3 * 5  # the 5 rules' figures
    _json_is_the_same(capsys, argv)


def test_basket_note_and_suggestion_in_chinese(home, capsys):
    """ "note:" was English whatever the language: the note is the page's, translated, and the
    option to type after it says so in Chinese."""
    argv = ["basket", "--dataset", "x", "--min-support", "0.5"]
    en = _run(capsys, argv)
    zh = _run(capsys, [*argv, "--lang", "zh"])
    assert any(x.startswith("note: No set of two or more items reaches") for x in en.splitlines())
    assert any(x.startswith("注：没有任何两件及以上的商品组合达到支持度") for x in zh.splitlines())
    suggested = next(x for x in en.splitlines() if x.startswith("to see them: --min-support "))
    assert zh.splitlines()[-1] == "要看到这些组合：--min-support " + suggested.split()[-1]
    assert _english_left(zh.replace("--min-support", "")) == []  # the option is typed as is


def test_alerts_speak_chinese_as_the_alerts_page(home, capsys, product_names):
    """The scheduled command's lines read as the Alerts page's in the merchant's language: its
    severity and rule names, the reasons and drivers built in that language, a skipped rule's
    status and note; the amounts are the same; the JSON is unchanged."""
    from ecomdash.alerts import find_alerts, rule_label, severity_label
    from ecomdash.store import Store

    argv = ["alerts", "--dataset", "x"]
    en = _run(capsys, argv)
    zh = _run(capsys, [*argv, "--lang", "zh"])
    records = json.loads(_run(capsys, [*argv, "--json"]))["alerts"]
    store = Store.open(home)
    try:
        with use_lang("zh"):  # what the Alerts page shows in Chinese
            page = find_alerts(store, store.resolve("x").id).alerts
            shown = [(severity_label(r["severity"]), rule_label(r["kind"])) for r in records]
    finally:
        store.close()
    assert en.startswith(f"{len(records)} alerts for x (1 November 2025 to 31 October 2026)\n")
    lines = zh.splitlines()
    assert lines[0] == f"x：2025年11月1日至2026年10月31日共{NB}{len(records)}{NB}条异常提醒"
    rows = [x for x in lines[1:] if x[:1].isdigit()]
    assert len(rows) == len(records) == len(page)
    for row, reason, (severity, rule) in zip(rows, page["reason"], shown, strict=True):
        assert row.split()[1:3] == [severity, rule] and row.endswith(reason), (row, reason)
    assert {"高", "低"} <= {row.split()[1] for row in rows}
    assert any(x.strip().startswith("主要原因：主要来自国家/地区") for x in lines)
    assert "规则“负毛利”已跳过：需要单位成本：尚未提供" in lines
    assert _english_left(_without(zh, product_names)) == []
    money = re.compile(r"-?£[\d,]+\.\d\d")
    assert money.findall(zh) == money.findall(en) and money.findall(en)
    _json_is_the_same(capsys, argv)


def test_recommend_speaks_chinese_in_both_modes(home, capsys, product_names):
    """A customer's list and a product's also-bought / who-to-target in the Recommendations
    page's words (its table headers, model names, sources and reasons), the same scores."""
    customer = json.loads(_run(capsys, ["recommend", "--dataset", "x", "--evaluate", "--json"]))
    for argv in (
        ["recommend", "--dataset", "x", "--customer", "101674", "--k", "5"],
        ["recommend", "--dataset", "x", "--product", "TEX-10381", "--k", "5"],
    ):
        en = _run(capsys, argv)
        zh = _run(capsys, [*argv, "--lang", "zh"])
        assert _english_left(_without(zh, product_names)) == [], zh
        assert _decimals(zh) == _decimals(en) and _decimals(en)
        _json_is_the_same(capsys, argv)
    assert zh.splitlines()[0] == "买了商品 TEX-10381 的客户还买了（购买模式（EASE））："
    assert zh.splitlines()[1].split()[:4] == ["排名", "商品", "ID", "商品"]
    assert "商品 TEX-10381 适合推给谁（尚未购买的客户）：" in zh.splitlines()
    assert customer["n_test_customers"] > 0


def test_recommend_evaluation_speaks_chinese(home, capsys):
    argv = ["recommend", "--dataset", "x", "--evaluate"]
    en = _run(capsys, argv)
    zh = _run(capsys, [*argv, "--lang", "zh"])
    out = json.loads(_run(capsys, [*argv, "--json"]))
    n = out["n_test_customers"]
    assert en.startswith(f"Trained before 2 October 2026; tested on {n} returning customers")
    lines = zh.splitlines()
    assert lines[0] == f"用2026年10月2日之前的购买训练；在{NB}{n}{NB}位回头客上测试（k ={NB}10）。"
    assert lines[1].startswith("模型 ") and "命中率" in lines[1]
    with use_lang("zh"):
        best = L.model_label(out["best_model"])
    assert lines[2].startswith(best + " ")  # the page's model names, best first
    assert any(x.startswith("最佳：") for x in lines)
    assert _english_left(zh) == []
    # the metrics (every column but the training time, which is measured again)
    cut = [x.rsplit(None, 1)[0] for x in en.splitlines()[2 : 2 + len(out["models"])]]
    assert [_decimals(x) for x in cut] == [
        _decimals(x.rsplit(None, 1)[0]) for x in lines[2 : 2 + len(out["models"])]
    ]


def test_kpis_write_their_figures_as_the_overview_does(home, capsys):
    """Money in the dataset's currency (the demo's is GBP), the return rate a percentage,
    counts whole with thousands: the Overview tiles' exact values. It printed the raw JSON
    figures with two decimals (a return rate of 0.03, revenue without its currency)."""
    k = json.loads(_run(capsys, ["kpis", "--dataset", "x", "--json"]))
    lines = dict(x.split(": ", 1) for x in _run(capsys, ["kpis", "--dataset", "x"]).splitlines())
    assert lines["Net revenue"] == f"£{k['revenue']:,.2f}"
    assert lines["Average order value"] == f"£{k['aov']:,.2f}"
    assert lines["Return rate"] == f"{k['return_rate'] * 100:.2f}\u00a0%"
    assert lines["Orders"] == f"{k['orders']:,}" and "," in lines["Orders"]
    zh = dict(
        x.split("：", 1)
        for x in _run(capsys, ["kpis", "--dataset", "x", "--lang", "zh"]).splitlines()
    )
    assert zh["净销售额"] == lines["Net revenue"]


def test_kpis_and_datasets_speak_chinese(home, capsys):
    """The Overview's names of the KPIs with the same figures; the datasets' list."""
    from ecomdash.kpis import KPI_LABELS

    en = _run(capsys, ["kpis", "--dataset", "x"]).splitlines()
    zh = _run(capsys, ["kpis", "--dataset", "x", "--lang", "zh"]).splitlines()
    with use_lang("zh"):
        names = [_(label) for label in KPI_LABELS.values()]
    assert [x.split("：")[0] for x in zh] == names[: len(zh)] and "净销售额" in names
    # the same figures, each written as its language writes it ("3.21 %" / "3.21%")
    assert [_decimals(x.split("：")[1]) for x in zh] == [_decimals(x.split(": ")[1]) for x in en]
    _json_is_the_same(capsys, ["kpis", "--dataset", "x"])
    en = _run(capsys, ["datasets"])
    zh = _run(capsys, ["datasets", "--lang", "zh"])
    rows = json.loads(_run(capsys, ["datasets", "--json"]))["datasets"][0]["rows"]
    assert en.endswith(f"  x  ({rows:,} lines, v1)\n")
    assert zh.endswith(f"  x  （{rows:,}{NB}个订单行，版本{NB}1）\n")
    _json_is_the_same(capsys, ["datasets"])


def test_datasets_on_an_empty_store_in_chinese(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path))
    assert _run(capsys, ["datasets", "--lang", "zh"]).startswith("还没有数据集。")


def test_ingest_speaks_chinese(tmp_path, monkeypatch, capsys):
    """The cleaning rules and what each did as the Data page names them; the counts are the
    same (5 rows read, 4 kept: one exact duplicate dropped; the C invoice's line flagged)."""
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    f = tmp_path / "orders.csv"
    f.write_text(CSV)
    en = _run(capsys, ["ingest", str(f)]).splitlines()
    zh = _run(capsys, ["ingest", str(f), "--lang", "zh"]).splitlines()
    assert en[1] == "Rows read: 5; rows kept: 4."
    assert "  exact duplicate of an earlier row: 1 row (dropped)" in en
    assert zh[0].startswith("已保存数据集“orders.csv”（ID ") and zh[0].endswith(f"版本{NB}1）。")
    assert zh[1] == "读取行数：5；保留行数：4。"
    assert zh[2].startswith("字段映射：order_id <- Invoice, ")  # --map's ids and the file's names
    assert zh[3] == "清洗规则："
    assert f"  与前面某行完全重复：1{NB}行（已剔除）" in zh
    assert f"  没有客户 ID（游客订单）：1{NB}行（已保留）" in zh
    assert len(zh) == len(en)
    assert _english_left("\n".join(zh[1:2] + zh[3:])) == []  # the file's name is the merchant's
    a = json.loads(_run(capsys, ["ingest", str(f), "--json"]))
    b = json.loads(_run(capsys, ["ingest", str(f), "--json", "--lang", "zh"]))
    assert a.pop("dataset_id") != b.pop("dataset_id") and a == b


def test_report_lines_speak_the_reports_language(home, capsys, tmp_path):
    """``report --lang zh`` wrote a Chinese report but said so in English."""
    out = tmp_path / "r.html"
    assert main(["report", "--dataset", "x", "--lang", "zh", "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert said.out.startswith(f"已写入 {out}（") and f"{NB}个部分），用时{NB}" in said.out
    from ecomdash.report import ALL_SECTIONS

    # one step per section (the digest, shown first, is built last: the first step is 核心指标)
    assert said.err.splitlines()[0] == f"[1/{len(ALL_SECTIONS)}] 核心指标…"
    assert _english_left(said.out.replace(str(out), "")) == []


def test_a_refusal_the_app_translates_is_in_the_commands_language(home, capsys):
    """An unknown dataset, a threshold out of range: the app's Chinese message with --lang zh
    (with --json too: stderr is read by a person), English otherwise."""
    assert main(["kpis", "--dataset", "nope"]) == 2
    assert capsys.readouterr().err.startswith("ecomdash: No dataset with id 'nope' in this")
    for argv in (
        ["kpis", "--dataset", "nope", "--lang", "zh"],
        ["alerts", "--dataset", "nope", "--lang", "zh", "--json"],
    ):
        assert main(argv) == 2
        said = capsys.readouterr()
        assert said.out == ""
        assert said.err.startswith("ecomdash：此工作区中没有 ID 为“nope”的数据集。"), said.err
    assert main(["basket", "--dataset", "x", "--min-support", "0", "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ecomdash：") and "min_support" in err and "必须是" in err
    # the command line's own refusals too (English without --lang: tests/unit/test_cli_data.py)
    assert main(["restock", "--dataset", "x", "--top", "0", "--lang", "zh"]) == 2
    assert (
        capsys.readouterr().err
        == "ecomdash：--top 必须在\u00a01 到\u00a0500 之间；实际为\u00a00。\n"
    )
    assert main(["restock", "--dataset", "x", "--top", "0"]) == 2
    assert capsys.readouterr().err == "ecomdash: --top must be between 1 and 500; got 0.\n"
    assert main(["alerts", "--dataset", "x", "--event", "sale", "--lang", "zh"]) == 2
    assert capsys.readouterr().err.endswith("。实际为“sale”。\n")
    assert main(["ingest", str(home / "no-such.csv"), "--lang", "zh"]) == 2
    assert (
        capsys.readouterr().err
        == f"ecomdash：{home / 'no-such.csv'} 处没有文件。请检查路径后重试。\n"
    )


def test_demo_speaks_chinese(tmp_path, monkeypatch, capsys):
    """``ecomdash demo --lang zh``: what it is generating (stderr), its progress and what it
    wrote or saved, in Chinese, with the same counts as in English (it spoke English only);
    ``--json`` the same in both; a refusal in Chinese."""
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))

    def run(argv: list[str]) -> tuple[str, str]:
        assert main(argv) == 0, capsys.readouterr().err
        got = capsys.readouterr()
        return got.out, got.err

    argv = ["demo", "--lines", "5e3"]
    obj = json.loads(run([*argv, "--name", "j", "--json", "--lang", "zh"])[0])
    n, customers = f"{obj['lines']:,}", f"{obj['customers']:,}"
    one_time, products = f"{obj['one_time_customers']:,}", f"{obj['products']:,}"
    en_out, en_err = run([*argv, "--name", "Shop"])
    zh_out, zh_err = run([*argv, "--name", "示例", "--lang", "zh"])
    assert en_out.startswith("Saved dataset 'Shop' (id ") and f" with {n} lines in " in en_out
    assert en_err.startswith(f"Generating about 5,000 lines: {customers} customers (")
    assert zh_out.startswith("已保存数据集“示例”（ID ") and f"，共{NB}{n}{NB}行，用时{NB}" in zh_out
    assert zh_err.splitlines()[0] == (
        f"正在生成约{NB}5,000{NB}行：{customers}{NB}位客户（其中{NB}{one_time}{NB}位只买过一次），"
        f"{products}{NB}个商品，{obj['categories']}{NB}个品类，"
        f"{obj['start']}{NB}至{NB}{obj['end']}……"
    )
    assert zh_err.splitlines()[-1].startswith(f"  已生成{NB}{n}{NB}行（已用时{NB}")
    assert _english_left(zh_out + zh_err) == []
    csv_out, _err = run([*argv, "--csv", str(tmp_path / "d.csv"), "--lang", "zh"])
    assert csv_out.startswith(f"已把{NB}{n}{NB}行写入 {tmp_path / 'd.csv'}，用时{NB}")
    zh_cn, _err = run(["demo", "--locale", "zh", "--lines", "4e3", "--name", "中", "--lang", "zh"])
    assert "（价格以人民币 ¥ 计），用时" in zh_cn
    en = json.loads(run([*argv, "--name", "j", "--json"])[0])
    for measured in (en, obj):
        measured.pop("seconds"), measured.pop("dataset_id")
    assert en == obj  # --json: the same object whatever --lang says
    assert main(["demo", "--lines", "5e3", "--lang", "zh"]) == 2  # no --name, no --csv
    assert capsys.readouterr().err == (
        "ecomdash：请用 --name 名称 给生成的商家起个名字（或用 --csv 写入文件）。\n"
    )
