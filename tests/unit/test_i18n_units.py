"""A figure and its unit never part at a line's end: English joins them with a no-break space
(``fmt.NBSP``: ``53 %``, ``42 s``), written in one place (``fmt.unit`` / ``fmt.pct_sign``),
and a message id that writes its own percent sign ("a 1 % higher price", "the 80 % band")
writes it the same way, so one sentence never mixes a plain and a no-break space. Chinese
writes ``53%`` (no space after a figure) and keeps its own rule.

Chinese joins a figure (digits or a ``{field}``) and the measure word or unit after it
(``{n} 个``, ``{days} 天``, ``12 个月``) with the same no-break space, as ``fmt.unit`` writes
``42 秒``: a plain space let a line end with ``42`` and the next start with ``个``, and no
space would not help (a browser may break between a figure and an ideograph). What belongs to
the figure follows it directly, as fmt writes it: ``53%``, ``1.3万`` (``fmt.compact``), a
calendar date ``5月1日`` (``fmt.long_date``).

The other side too: a Chinese word and the figure or field after it (``共 {n} 个``, ``上涨
{pct}``, ``最近 30 天``) are joined by the same no-break space, so a narrow column never ends a
line with ``共`` and starts the next with its figure; the spacing looks as before. A field that
holds a name, a list of names or a Latin identifier (``商品 {product}``, ``需要 {what} 列``,
``数据湖 {lake}``: :data:`ZH_WORD_FIELDS`) keeps its plain space, where a line may break as
between two words. A sign and the figure after it (``≥ 3``, ``< 0.25``, ``k = {k}``) are
joined the same way: the Customer value checklist's "≥ 2（同期群）；≥ 3（校准检验）" wrapped
between "≥" and "3"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ecomdash.i18n import fmt
from ecomdash.i18n.extract import ROOT, messages

#: a percent sign after a plain space, or glued to its figure ("90% low"); "%{x}" (a plotly
#: field), "%(name)s" and "%s" / "%r" (printf fields: argparse's messages, cli/usage.py), "%%"
#: (a printf format's escaped sign: ui.tables.percent_format) and "{x:.0%}" (a format spec)
#: are not percent signs
PLAIN_PCT = re.compile(r"(?: |(?<=[\d}]))%(?![{(%}]|[sr]\b)")
#: a Chinese figure or field with any space before its "%" ("80 %" where Chinese writes "80%")
ZH_SPACED_PCT = re.compile(r"[\d}][ \u00a0]%(?![{(%])")

#: the measure words and units a Chinese figure is followed by ("分" a score, "1–5 分"; not
#: the verbs and nouns it starts: "分到", "is divided into", "分组", "grouped", "分群" …)
ZH_UNIT = (
    r"(?:个|位|天|条|行|周|倍|次|件|期|列|单|项|折|节|笔|种|组|人|类|字节|小时|分钟|秒|百分位"
    r"|分(?!到|组|群|别|析|成|为|布|类)"
    # a size in Latin letters, as Chinese writes it too ("最大 200 MB"; session 60)
    r"|(?:[KMG]B)(?![A-Za-z]))"
)
#: a figure or field, a plain space (or several), then a unit: "{n} 个" where Chinese writes
#: "{n}\u00a0个"; a column's name before "列" is a name, not a figure ("需要 category 列": the
#: space between a Latin word and Chinese text stays, as the alerts' text fields keep theirs)
ZH_PLAIN_UNIT = re.compile(
    r"(?<!\{what)(?<!\{column)(?<!\{missing)(?<!\{metric)(?<!\{table_name)"
    rf"(?:\d|\}})[ \t\u3000]+{ZH_UNIT}"
)
#: what is part of the figure, written right after it: 万 (fmt.compact's "1.3万") and a
#: calendar date's 月 and 日 ("5月1日", as fmt.long_date writes it)
ZH_SPACED_FIGURE = re.compile(r"\d[ \u00a0]+(?:万|月|日)")

#: the fields that hold a word, not a figure: a product's or column's name, a list of names or
#: ids, a Latin identifier, a path (what fills them: the msgid's call in the source). A plain
#: space before one stays, as between two words; every other field holds a figure (a count, a
#: share or money written by fmt, a date, a range) and is joined to the word before it
ZH_WORD_FIELDS = (
    "name|product|ids|order|customer|category|antecedent|column|columns|what|field|fields|table|table_name|"
    "by|unknown|metric|models|choices|options|allowed|views|features|type|kind|got|path|home|"
    "folder|lake|remote|ext|encoding|engine|known|lang|freq|key|rule"
)
#: a Chinese character (or CJK punctuation), a plain space (or several, or an ideographic
#: one), then a figure ("共 12", "在 -90%", "售价 ¥12") or a field that is not a word ("共 {n}",
#: "上涨 {pct}", plotly's "件数 %{customdata}"): where Chinese writes "共\u00a0{n}"
ZH_PLAIN_BEFORE = re.compile(
    r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef][ \t\u3000]+"
    rf"(?:[-+]?[¥£$€]?\d|%?\{{(?!(?:{ZH_WORD_FIELDS})[}}:!\[])|%\{{)"
)

#: a sign — a comparison (≥ ≤ < > ≠), an approximation (≈ ~ ±) or an operator (× ÷ + − =) —
#: a plain space, then a figure or a field that is not a word ("≥ 2", "≥ {need}", "< 0.25",
#: "k = {k}"): the Customer value checklist's cell "≥ 2（同期群）；≥ 3（校准检验）" wrapped
#: between "≥" and "3". Chinese writes "≥\u00a03"; "->" is an arrow, not a sign
ZH_SIGN_BEFORE = re.compile(
    r"(?<!-)[≥≤≦≧<>＜＞≠≈~～±×÷+−=][ \t\u3000]+"
    rf"(?:[-+]?[¥£$€]?\d|%?\{{(?!(?:{ZH_WORD_FIELDS})[}}:!\[])|%\{{)"
)

CATALOGUES = sorted((ROOT / "ecomdash" / "i18n" / "locales" / "zh").glob("*.po"))


def _plain(text: str) -> bool:
    return bool(PLAIN_PCT.search(text))


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("a 1 % higher price", True),
        ("Margin %", True),
        ("{level} % band", True),
        ("a 1\u00a0% higher price", False),
        ("{level}\u00a0% band", False),
        ("Share: %{customdata}", False),  # plotly's field
        ("%(name)s and %(n)d", False),
        ("the following arguments are required: %s", False),  # argparse's
        ("ignored explicit argument %r", False),
        ("expected %s arguments", False),
        ("a 5 %s", False),  # a printf field, whatever comes before it
        ("5 % sure", True),
        ("%d %%", False),  # a printf format's "%"
        ("% change in units", False),  # nothing before it
        ("Lift 90% low", True),  # glued: "90\u00a0%" as fmt.pct writes it
        ("{share}% of orders", True),
        ("{x:.0%}", False),  # a format spec
    ],
)
def test_the_rule_tells_a_percent_sign_from_a_placeholder(text, plain):
    assert _plain(text) is plain


def test_no_english_message_writes_a_plain_space_before_a_percent_sign():
    """Every msgid in the source (``_()``, ``_n()``, ``N_()``): "the 80 % band" read with a
    plain space beside fmt.pct's "81 %" (a no-break space) in the same sentence."""
    found, _bad = messages()
    plain = sorted({f"{m.path}:{m.line}: {m.msgid[:80]!r}" for m in found if _plain(m.msgid)})
    assert not plain, "write \\u00a0% (fmt.NBSP), not ' %' or '90%':\n" + "\n".join(plain)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.name)
def test_no_catalogue_entry_does_either(po: Path):
    """The .po files' ids (and plural ids) follow the source; the Chinese translations keep
    their own rule: no space between a figure and "%" ("80%")."""
    with po.open("rb") as f:
        catalogue = read_po(f)
    plain, spaced = [], []
    for msg in catalogue:
        ids = msg.id if isinstance(msg.id, tuple | list) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
        plain += [i[:80] for i in ids if i and _plain(i)]
        spaced += [s[:80] for s in strings if s and ZH_SPACED_PCT.search(s)]
    assert not plain, plain
    assert not spaced, spaced


def _zh_unit_problems(text: str) -> list[str]:
    return [
        m.group(0)
        for rule in (ZH_PLAIN_UNIT, ZH_SPACED_FIGURE, ZH_PLAIN_BEFORE, ZH_SIGN_BEFORE)
        for m in rule.finditer(text)
    ]


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("{n} 个订单", True),
        ("最近 30 天", True),
        ("{n_test} 位客户", True),
        ("是常价的 {times}\u3000倍", True),  # an ideographic space breaks too
        ("%{value:,} 位客户", True),  # plotly's field
        ("多卖 2 单", True),
        ("700 万次购买", True),
        ("公历 5 月 1 日", True),
        ("5\u00a0月", True),
        ("最大\u00a0{mb} MB。", True),  # a size and its unit, in Latin letters
        ("超过\u00a0200 MB 的上限", True),
        ("{n}\u00a0个订单", False),
        ("最大\u00a0{mb}\u00a0MB。", False),
        ("{n} MBA 课程", False),  # a word, not a unit
        ("最近\u00a030\u00a0天", False),
        ("700万次购买", False),
        ("公历5月1日", False),
        ("需要 {what} 列", False),  # a column's name, not a count of columns
        ("{n}\u00a0列", False),
        ("约{n}分之一", False),  # no space: a fraction
        ("这些规则把\u00a0{share} 分到与 K 均值聚类相同的组", False),
        ("按 {by} 分组", False),  # "grouped by", not a score
        ("{func} 的参数", False),
        ("618 预热期", False),  # a festival's name
        ("1–5\u00a0分", False),
        # a figure or field after a Chinese word: joined by the no-break space too
        ("共 {n}\u00a0个", True),
        ("上涨 {pct}", True),
        ("最近 30\u00a0天", True),
        ("调价幅度必须在 -90% 到\u00a0+200%", True),
        ("售价 ¥12", True),
        ("件数较促销前 %{customdata}", True),
        ("预测 %{{y:,.0f}}", True),  # a plotly field in a str.format template
        ("销量\u3000{n}", True),
        ("共\u00a0{n}\u00a0个", False),
        ("调价幅度必须在\u00a0-90% 到\u00a0+200%", False),
        ("上涨\u00a0{pct}", False),
        ("{pct} 的促销", False),  # after the figure: a word follows, not its unit
        ("商品 {product} 不在", False),  # a name: the space between words stays
        ("需要 {what} 列", False),
        ("未知的模型 {models}。", False),
        ("回测 MAE {mae}", False),  # after a Latin word, not a Chinese one
        # a sign and the figure or field after it: joined by the no-break space too
        ("≥ 2（同期群）；≥ 3（校准检验）", True),
        ("≥ {need}（2 × 窗口 + 30）", True),
        ("轮廓系数\u00a0{sil} < 0.25", True),
        ("k = {k}（轮廓系数最佳）", True),
        ("{folds}\u00a0折 × {horizon}\u00a0期", True),
        ("平均值 ÷ 7", True),
        ("必须 >= 1", True),
        ("（CV ≈ 0.5）", True),
        ("≥\u00a02（同期群）；≥\u00a03（校准检验）", False),
        ("≥\u00a0{need}（2 × 窗口 +\u00a030）", False),
        ("ABC × XYZ 分类", False),  # letters, not figures
        ("0 < a < b", False),
        ("按{column} = {table}.{table_column}", False),  # a table's name, a word
        ("{before} -> {after}", False),  # an arrow
        ("上限 ±{limit}", False),  # the sign is part of the figure, written right before it
    ],
)
def test_the_chinese_unit_rule_tells_a_unit_from_other_words(text, bad):
    assert bool(_zh_unit_problems(text)) is bad


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.name)
def test_no_chinese_figure_parts_from_its_unit(po: Path):
    """Every Chinese translation joins a figure or field and its unit with a no-break space
    ("{n}\u00a0个", "{days}\u00a0天"), a Chinese word and the figure after it ("共\u00a0{n}",
    "最近\u00a030\u00a0天"), and a sign and the figure after it ("≥\u00a03", "k =\u00a0{k}"),
    never a plain one where a line may break."""
    with po.open("rb") as f:
        catalogue = read_po(f)
    bad = []
    for msg in catalogue:
        strings = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
        bad += [
            f"{s[:80]!r}: {_zh_unit_problems(s)}" for s in strings if s and _zh_unit_problems(s)
        ]
    assert not bad, "write \\u00a0 (fmt.NBSP) between a figure and its unit:\n" + "\n".join(bad)


def test_a_chinese_sentence_keeps_its_figure_and_unit_on_one_line():
    """What a merchant reads: the catalogue's translation filled in, as a page shows it."""
    from ecomdash.i18n import _, use_lang

    with use_lang("zh"):
        text = _("{n} high alerts", n="12")
    assert text == f"12{fmt.NBSP}条高级别提醒"


def test_a_chinese_word_keeps_the_figure_after_it_on_its_line():
    """A literal figure and one fmt writes into a field read the same: "最近\u00a030\u00a0天"
    as the catalogue writes it, "上一期为\u00a04.1%" as fmt.pct fills it, and a product's name
    after its plain space."""
    from ecomdash.i18n import _, use_lang

    with use_lang("zh"):
        last30 = _("Last 30 days")
        points = _(
            "Its change is the difference in percentage points: {before} in the earlier period, "
            "{now} in this one.",
            before=fmt.pct(0.041),
            now=fmt.pct(0.029),
        )
        product = _("Bought together with {product}", product="Mug")
    assert last30 == f"最近{fmt.NBSP}30{fmt.NBSP}天"
    assert points == f"变化按百分点计算：上一期为{fmt.NBSP}4.1%，本期为{fmt.NBSP}2.9%。"
    assert product == "与 Mug 一起购买"


def test_the_rule_is_written_once():
    """fmt.pct, the durations and the tables' formats all take the one space (fmt.NBSP)."""
    assert fmt.pct_sign("en") == fmt.unit("", "%", lang="en") == f"{fmt.NBSP}%"
    assert fmt.pct(0.53, 0, lang="en") == f"53{fmt.NBSP}%"
    assert fmt.duration(42, lang="en") == f"42{fmt.NBSP}s"
    assert fmt.duration(131, lang="en") == f"2{fmt.NBSP}min 11{fmt.NBSP}s"
    # Chinese: "%" right after the figure, any other unit after the same no-break space
    assert (fmt.pct(0.53, 0, lang="zh"), fmt.duration(42, lang="zh")) == ("53%", "42\u00a0秒")
