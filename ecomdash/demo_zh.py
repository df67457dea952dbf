"""The Chinese demo merchant: the demo shop as it would sell on Tmall, JD and Douyin.

``generate(seed)`` returns :class:`ZhDemo` — canonical order lines and :class:`ZhDemoTruth`.
It is built on ``ecomdash.demo.generate`` (public names only) and transformed, with its own
random stream (``np.random.default_rng([seed, 16])``), so the English demo's draws never change:

* **Names**: Chinese product names (``noun – variant``, the variant translated where it is a
  word) and categories; product ids stay (SKU codes).
* **Money**: prices in CNY (``¥``): ``floor(GBP price × 9.2) + 0.9``; revenue = quantity × price.
* **Where**: ``country`` is the buyer's province in its short form (广东, 内蒙古), the region
  Chinese platform exports are read into (:mod:`ecomdash.ingest.platforms_cn`)
  (a registered customer keeps one province; shares weighted to online retail).
* **When**: every line's timestamp is moved by one monotone time warp (so each customer's
  orders and every return keep their order), from the English demo's order times to the
  Chinese day intensity ``I(d) = trend(d) · weekly(dow) · festivals(d)``, with the festivals
  planted as multipliers (``truth.festivals``): 618, Double 11 and Double 12 (run-up and peak
  day), the New-Year goods festival 年货节, National Day, and the **Spring Festival shipping
  pause** (no orders from 5 days before to 6 days after Spring Festival, ``truth.pauses``).
  A return keeps at least one day after its sale.

The English demo's own calendar truths (Black Friday, Christmas, planted incidents) do not
carry over: the warp spreads them out. Its order contents (bundles, customer groups, prices
per product) do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ecomdash import calendar_cn as CN
from ecomdash import demo as base_demo
from ecomdash import schema as S
from ecomdash.ingest import platforms_cn

__all__ = ["ZhDemo", "ZhDemoTruth", "generate", "DEFAULT_START_ZH", "PROVINCES", "CNY_PER_GBP"]

#: 730 days from here end on 2026-11-30: the backtest holds National Day and Double 11, the
#: default 14-day horizon Double 12.
DEFAULT_START_ZH = date(2024, 12, 1)
CNY_PER_GBP = 9.2
_STREAM = 16  # this module's own random stream: np.random.default_rng([seed, 16])

#: province -> share of orders (rough online-retail weights)
PROVINCES = {
    "广东省": 0.15,
    "浙江省": 0.11,
    "江苏省": 0.09,
    "上海市": 0.07,
    "北京市": 0.06,
    "山东省": 0.06,
    "福建省": 0.05,
    "四川省": 0.05,
    "河南省": 0.05,
    "湖北省": 0.04,
    "湖南省": 0.04,
    "安徽省": 0.03,
    "河北省": 0.03,
    "重庆市": 0.03,
    "天津市": 0.02,
    "陕西省": 0.02,
    "辽宁省": 0.02,
    "江西省": 0.02,
    "广西壮族自治区": 0.02,
    "云南省": 0.02,
    "黑龙江省": 0.01,
    "山西省": 0.01,
}

#: full province name -> the short name the region column holds
_SHORT_NAME = dict(platforms_cn.PROVINCES)

CATEGORIES = {
    "Kitchen": "厨房用品",
    "Home Decor": "家居装饰",
    "Garden": "园艺",
    "Stationery": "文具",
    "Toys & Games": "玩具游戏",
    "Bath & Body": "洗浴护理",
    "Bags & Accessories": "箱包配饰",
    "Party & Gifts": "派对礼品",
    "Lighting": "灯具照明",
    "Textiles": "家纺布艺",
}

_NOUNS = {
    "Advent Calendar": "圣诞倒数日历",
    "Apron": "围裙",
    "Backpack": "双肩包",
    "Bamboo Chopping Board": "竹砧板",
    "Bath Bomb": "泡澡球",
    "Bath Oil": "沐浴油",
    "Bath Salts": "浴盐",
    "Bath Towel": "浴巾",
    "Beanie Hat": "针织帽",
    "Bed Runner": "床尾巾",
    "Bird Feeder": "喂鸟器",
    "Birthday Candles": "生日蜡烛",
    "Body Lotion": "身体乳",
    "Bookmark": "书签",
    "Building Blocks": "积木",
    "Butter Dish": "黄油碟",
    "Cake Tin": "蛋糕模具",
    "Candle Holder": "烛台",
    "Candle Lantern": "蜡烛灯笼",
    "Canvas Tote Bag": "帆布托特包",
    "Card Game": "卡牌游戏",
    "Card Holder": "卡包",
    "Cast Iron Skillet": "铸铁煎锅",
    "Ceramic Mug": "陶瓷马克杯",
    "Ceramic Vase": "陶瓷花瓶",
    "Christmas Bauble": "圣诞挂球",
    "Colouring Book": "涂色书",
    "Curtain Panel": "窗帘",
    "Cushion Cover": "抱枕套",
    "Desk Lamp": "台灯",
    "Desk Planner": "桌面计划本",
    "Dominoes": "多米诺骨牌",
    "Doormat": "门垫",
    "Enamel Teapot": "搪瓷茶壶",
    "Espresso Cup Set": "浓缩咖啡杯套装",
    "Face Cloth": "洗脸巾",
    "Fairy Light Jar": "星星灯瓶",
    "Floor Lamp": "落地灯",
    "Fountain Pen": "钢笔",
    "Garden Gloves": "园艺手套",
    "Gift Box": "礼盒",
    "Gift Tag Set": "礼品吊牌套装",
    "Gift Wrap Roll": "礼品包装纸",
    "Glass Storage Jar": "玻璃储物罐",
    "Gloves": "手套",
    "Greeting Card": "贺卡",
    "Hand Cream": "护手霜",
    "Hand Trowel": "园艺小铲",
    "Hanging Planter": "吊篮花盆",
    "Incense Holder": "香插",
    "Ink Cartridges": "墨囊",
    "Jigsaw Puzzle": "拼图",
    "Key Ring": "钥匙扣",
    "Kite": "风筝",
    "Kneeling Pad": "园艺跪垫",
    "LED Bulb": "LED灯泡",
    "Lamp Shade": "灯罩",
    "Lantern": "灯笼",
    "Leather Wallet": "真皮钱包",
    "Letter Writing Set": "信纸套装",
    "Linen Tea Towel": "亚麻茶巾",
    "Lip Balm": "润唇膏",
    "Loofah Sponge": "丝瓜络浴擦",
    "Loose Leaf Tea Tin": "散装茶叶罐",
    "Lunch Bag": "便当包",
    "Marble Run": "弹珠轨道",
    "Mirror": "镜子",
    "Nail Brush": "指甲刷",
    "Napkin Set": "餐巾套装",
    "Night Light": "小夜灯",
    "Notebook": "笔记本",
    "Paper Bunting": "纸拉旗",
    "Paper Napkins": "纸巾",
    "Party Balloons": "派对气球",
    "Party Hats": "派对帽",
    "Pencil Set": "铅笔套装",
    "Photo Frame": "相框",
    "Picture Ledge": "画架隔板",
    "Pillowcase Pair": "枕套一对",
    "Plant Labels": "植物标签",
    "Plant Mister": "喷壶",
    "Plush Bunny": "毛绒兔",
    "Reading Light": "阅读灯",
    "Ribbon Spool": "丝带卷",
    "Rug": "地毯",
    "Scented Candle": "香薰蜡烛",
    "Seed Kit": "种子套装",
    "Shower Gel": "沐浴露",
    "Sketchbook": "速写本",
    "Skipping Rope": "跳绳",
    "Soap Bar": "香皂",
    "Solar Lantern": "太阳能灯",
    "Spice Rack": "调料架",
    "Spinning Top": "陀螺",
    "Sticky Notes": "便利贴",
    "String Lights": "串灯",
    "Sunglasses Case": "眼镜盒",
    "Table Lamp": "桌灯",
    "Table Runner": "桌旗",
    "Tablecloth": "桌布",
    "Terracotta Pot": "陶土花盆",
    "Throw Blanket": "盖毯",
    "Umbrella": "雨伞",
    "Wall Clock": "挂钟",
    "Wall Print": "装饰画",
    "Washi Tape Set": "和纸胶带套装",
    "Watering Can": "浇水壶",
    "Weekend Bag": "旅行包",
    "Wooden Spoon Set": "木勺套装",
    "Wooden Train Set": "木制火车套装",
    "Wool Scarf": "羊毛围巾",
    "Woven Basket": "编织篮",
    "Yo-Yo": "悠悠球",
}
_VARIANTS = {
    "Black": "黑色",
    "Blue": "蓝色",
    "White": "白色",
    "Red": "红色",
    "Green": "绿色",
    "Grey": "灰色",
    "Pink": "粉色",
    "Navy": "藏青",
    "Cream": "奶油色",
    "Sage": "鼠尾草绿",
    "Gold": "金色",
    "Silver": "银色",
    "Brass": "黄铜",
    "Oak": "橡木",
    "Walnut": "胡桃木",
    "Beech": "榉木",
    "Bamboo": "竹",
    "Glass": "玻璃",
    "Ceramic": "陶瓷",
    "Linen": "亚麻",
    "Cotton": "棉",
    "Leather": "真皮",
    "Wool": "羊毛",
    "Small": "小号",
    "Medium": "中号",
    "Large": "大号",
    "Round": "圆形",
    "Square": "方形",
    "Classic": "经典款",
    "Floral": "碎花",
    "Plain": "素色",
    "Stripe": "条纹",
    "Striped": "条纹",
    "Check": "格纹",
    "Rose": "玫瑰",
    "Lavender": "薰衣草",
    "Citrus": "柑橘",
    "Kraft": "牛皮纸",
    "Natural": "原色",
    "Travel": "旅行装",
    "Family": "家庭版",
    "Christmas": "圣诞",
    "Birthday": "生日",
    "Wedding": "婚礼",
    "Thank You": "感谢",
    "Blank": "空白",
    "Wooden": "木制",
    "Velvet": "丝绒",
    "Tan": "棕褐色",
    "Mustard": "芥末黄",
    "Teal": "青色",
    "Olive": "橄榄绿",
    "Charcoal": "炭灰",
    "Camel": "驼色",
    # sizes, sets, materials, scents and patterns (every variant of the catalogue)
    "1 l": "1 升",
    "1000 pc": "1000 片",
    "12 cm": "12 厘米",
    "120 pc": "120 片",
    "18 cm": "18 厘米",
    "2 l": "2 升",
    "20 cm": "20 厘米",
    "25 cm": "25 厘米",
    "26 cm": "26 厘米",
    "50 pc": "50 片",
    "500 ml": "500 毫升",
    "500 pc": "500 片",
    "6x4 Black": "6×4 英寸 黑色",
    "A4": "A4",
    "A4 Grid": "A4 方格",
    "A4 Oak": "A4 橡木",
    "A5": "A5",
    "A5 Brass": "A5 黄铜",
    "A5 Dot": "A5 点阵",
    "A5 Lined": "A5 横线",
    "A6 Plain": "A6 空白",
    "Abstract": "抽象",
    "Amber": "琥珀色",
    "Anglepoise": "摇臂款",
    "Animal": "动物",
    "Animals": "动物",
    "Arc": "弧形",
    "Arched": "拱形",
    "Ash": "白蜡木",
    "Berber": "柏柏尔",
    "Berry": "莓果",
    "Blackout": "遮光",
    "Book": "书本款",
    "Botanical": "植物图案",
    "Box": "盒装",
    "Breakfast": "早餐",
    "Bud": "花苞",
    "Burgundy": "酒红",
    "Canvas": "帆布",
    "Cedar": "雪松",
    "Chamomile": "洋甘菊",
    "Chilli": "辣椒",
    "Chunky Knit": "粗针织",
    "Cities": "城市",
    "Clip": "夹子款",
    "Cloud": "云朵",
    "Coconut": "椰子",
    "Coir": "椰棕",
    "Colour": "彩色",
    "Compact": "便携款",
    "Copper": "铜色",
    "Copper Wire": "铜线",
    "Daypack": "日用背包",
    "Dead Sea": "死海",
    "Deluxe": "豪华款",
    "Denim": "牛仔",
    "Diamond": "菱形",
    "Earl Grey": "伯爵茶",
    "Enamel": "搪瓷",
    "Eucalyptus": "尤加利",
    "Fabric": "布艺",
    "Felt": "毛毡",
    "Festive": "节日款",
    "Festoon": "串灯",
    "Fig": "无花果",
    "Filament": "灯丝",
    "Fleece": "抓绒",
    "Forest": "森林",
    "Galvanised": "镀锌",
    "Gingham": "小格纹",
    "Glass Gold": "玻璃 金色",
    "Glass Red": "玻璃 红色",
    "Globe": "球形",
    "Glow": "夜光",
    "Golf": "高尔夫",
    "Graphite": "石墨灰",
    "Hanging": "吊挂式",
    "Hearts": "爱心",
    "Herbs": "香草",
    "Herringbone": "人字纹",
    "Honey": "蜂蜜",
    "Indoor": "室内",
    "Insulated": "保温",
    "Iron": "铁艺",
    "Jar": "罐装",
    "Jute": "黄麻",
    "Kids 100 pc": "儿童 100 片",
    "Knit Red": "针织 红色",
    "L": "L 码",
    "Leather Tan": "真皮 棕褐色",
    "Lemongrass": "柠檬草",
    "Linen White": "亚麻 白色",
    "Loaf": "吐司",
    "M": "M 码",
    "Macrame": "编织挂毯",
    "Magnesium": "镁",
    "Marble": "大理石",
    "Metal": "金属",
    "Metallic": "金属色",
    "Minimal": "极简",
    "Mint": "薄荷",
    "Mitt": "手套款",
    "Mohair": "马海毛",
    "Monthly": "月计划",
    "Moon": "月亮",
    "Moroccan": "摩洛哥风",
    "Mushroom": "蘑菇",
    "Muslin": "纱布",
    "Neon": "霓虹",
    "Neroli": "橙花",
    "Number": "数字",
    "Oatmeal": "燕麦色",
    "Ochre": "赭石色",
    "Oxblood": "牛血红",
    "Pastel": "马卡龙色",
    "Patterns": "图案",
    "Pleated": "百褶",
    "Pressed Flower": "压花",
    "Rainbow": "彩虹",
    "Rattan": "藤编",
    "Retro": "复古",
    "Ribbed": "罗纹",
    "Roll Top": "卷口",
    "S": "S 码",
    "Sea Salt": "海盐",
    "Shea": "乳木果",
    "Slate": "石板灰",
    "Speckled": "斑点釉",
    "Star": "星星",
    "Stars": "星星",
    "Starter": "入门套装",
    "Station": "车站",
    "Steel": "不锈钢",
    "Stone": "石色",
    "Stoneware": "粗陶",
    "Storm": "风暴灰",
    "Tall": "高款",
    "Tartan": "苏格兰格",
    "Tea Light": "茶蜡",
    "Terracotta": "陶土色",
    "Tin": "铁盒",
    "Tomato": "番茄",
    "Tortoise": "玳瑁",
    "Tripod": "三脚架",
    "Union Jack": "英国国旗",
    "Unscented": "无香",
    "Vanilla": "香草味",
    "Velvet Green": "丝绒 绿色",
    "Velvet Rose": "丝绒 玫瑰色",
    "Voile": "纱帘",
    "Waffle": "华夫格",
    "Warm 10 m": "暖光 10 米",
    "Weekly": "周计划",
    "Welcome": "欢迎",
    "Wildflower": "野花",
    "Window": "窗户",
    "Wood": "木质",
    "Wool Grey": "羊毛 灰色",
    "Woven": "编织",
    "Zinc": "锌",
}
_NON_PRODUCT = {"POST": "运费", "FEE": "平台服务费"}
_CHANNELS = {"web": "天猫", "app": "抖音小店", "marketplace": "京东"}
#: Mon..Sun, mean 1 (Chinese online orders peak on Sunday/Monday evenings)
_WEEKLY = (1.05, 1.0, 0.95, 0.95, 0.95, 1.0, 1.1)
_TREND = 0.15


@dataclass(frozen=True)
class ZhDemoTruth:
    """What the Chinese demo planted.

    * ``festivals``: ``demo.HolidayEffect`` per festival and year (name, dates, multiplier on
      expected orders): 618 run-up ×1.4 and peak ×4, Double 11 run-up ×1.5 and peak ×6,
      Double 12 run-up ×1.2 and peak ×2.5, 年货节 ×1.6, National Day break ×0.7.
    * ``pauses``: (first, last) day of each Spring Festival shipping pause (no orders at all).
    * ``expected_orders``: date -> expected sales orders (the warp's target, summing to the
      number of sales orders).
    * ``provinces``: the provinces used (full names; ``country`` holds their short form), ``currency`` "CNY", ``cny_per_gbp``.
    * ``base``: the English demo's truth (bundles, groups, elasticities keep their meaning;
      its calendar facts and incidents do not).
    """

    seed: int
    start: date
    end: date
    festivals: tuple
    pauses: tuple[tuple[date, date], ...]
    weekly_profile: tuple[float, ...]
    trend: float
    expected_orders: pd.Series
    provinces: tuple[str, ...]
    currency: str
    cny_per_gbp: float
    base: object


@dataclass(frozen=True, eq=False)
class ZhDemo:
    lines: pd.DataFrame
    truth: ZhDemoTruth


def _zh_name(name: str) -> str:
    noun, _, variant = str(name).partition(" – ")
    zh = _NOUNS.get(noun, noun)
    if not variant:
        return zh
    return f"{zh} – {_VARIANTS.get(variant, variant)}"


def _festivals(start: date, end: date) -> tuple[list, list[tuple[date, date]]]:
    days = CN.calendar_days(start, end)
    d = days["date"].dt.date
    effects = []
    plan = (
        ("618", "618", 1.4, 4.0),
        ("double_11", "双十一 Double 11", 1.5, 6.0),
        ("double_12", "双十二 Double 12", 1.2, 2.5),
    )
    years = range(start.year, end.year + 1)
    for key, label, run_m, peak_m in plan:
        for y in years:
            inyear = (days["date"].dt.year == y).to_numpy()
            peak = tuple(d[days[f"{key}_peak"].to_numpy() & inyear])
            run = tuple(d[(days[key] & ~days[f"{key}_peak"]).to_numpy() & inyear])
            if run:
                effects.append(base_demo.HolidayEffect(f"{label} run-up {y}", run, run_m))
            if peak:
                effects.append(base_demo.HolidayEffect(f"{label} {y}", peak, peak_m))
    pauses = []
    for y in range(start.year, end.year + 2):
        sf = CN.festival_day("spring_festival", y)
        nh = tuple(x for x in d[days["nianhuo"].to_numpy()] if sf - timedelta(days=30) < x < sf)
        if nh:
            effects.append(base_demo.HolidayEffect(f"年货节 {y}", nh, 1.6))
        p0, p1 = sf - timedelta(days=5), sf + timedelta(days=6)
        if p1 >= start and p0 <= end:
            pauses.append((max(p0, start), min(p1, end)))
    for y in years:
        nd = tuple(
            x
            for x in d[days["national_day"].to_numpy()]
            if x.year == y and x.month == 10 and not days.loc[d == x, "mid_autumn"].any()
        )
        if nd:
            effects.append(base_demo.HolidayEffect(f"国庆节 National Day {y}", nd, 0.7))
    return effects, pauses


def _intensity(days: pd.DatetimeIndex, effects, pauses) -> np.ndarray:
    t = np.arange(len(days)) / 365.25
    inten = (1 + _TREND) ** t * np.array(_WEEKLY)[days.day_of_week]
    pos = {x.date(): i for i, x in enumerate(days)}
    for e in effects:
        for x in e.dates:
            if x in pos:
                inten[pos[x]] *= e.multiplier
    for p0, p1 in pauses:
        inten[(days >= pd.Timestamp(p0)) & (days <= pd.Timestamp(p1))] = 0.0
    return inten


def generate(
    seed: int = 7,
    *,
    n_customers: int = 3000,
    start: date = DEFAULT_START_ZH,
    days: int = 730,
) -> ZhDemo:
    """Generate the Chinese demo merchant (deterministic for a given seed and parameters)."""
    base = base_demo.generate(seed, n_customers=n_customers, start=start, days=days)
    lines = base.lines.copy()
    rng = np.random.default_rng([seed, _STREAM])
    end = start + timedelta(days=days - 1)
    day_index = pd.date_range(start, periods=days, freq="D")
    effects, pauses = _festivals(start, end)
    inten = _intensity(day_index, effects, pauses)

    # --- the time warp: empirical CDF of the sales orders' times -> cumulative intensity --
    ts = lines[S.ORDER_DATE]
    is_ret = lines[S.ORDER_ID].astype(str).str.startswith("C").to_numpy()
    order_ts = ts[~is_ret].groupby(lines.loc[~is_ret, S.ORDER_ID]).min().sort_values()
    t_ns = order_ts.to_numpy().astype("datetime64[ns]").astype(np.int64)
    # each order's place on the cumulative intensity: sorted uniform draws, not an even
    # grid, so a day's order count varies as a real shop's does (about Poisson around its
    # intensity); the grid gave every day exactly its share (433 orders every week), noise a
    # forecast or an alert never meets (its own stream: the draws below stay as they were)
    u_orders = np.sort(np.random.default_rng([seed, _STREAM, 1]).uniform(size=len(t_ns)))
    x_ns = ts.to_numpy().astype("datetime64[ns]").astype(np.int64)
    u = np.interp(x_ns, t_ns, u_orders)
    cum = np.cumsum(inten) / inten.sum()
    day_i = np.minimum(np.searchsorted(cum, u, side="left"), days - 1)
    tod = (ts - ts.dt.floor("D")).to_numpy()
    new_ts = pd.Series(day_index[day_i].to_numpy() + tod, index=lines.index)
    # a return stays at least a day after its sale (and inside the period)
    if is_ret.any():
        sale_new = new_ts[~is_ret].groupby(lines.loc[~is_ret, S.ORDER_ID]).min()
        ret_ids = lines.loc[is_ret, S.ORDER_ID].astype(str).str[1:]
        floor = (ret_ids.map(sale_new) + pd.Timedelta(days=1)).to_numpy()
        cur = new_ts[is_ret].to_numpy().copy()
        has = ~pd.isna(floor)
        cur[has] = np.maximum(cur[has], floor[has])
        last = np.datetime64(pd.Timestamp(end) + pd.Timedelta(hours=23, minutes=59))
        cur = np.minimum(cur, last)
        for p0, p1 in pauses:  # no line at all inside a shipping pause
            inside = (cur >= np.datetime64(p0)) & (cur < np.datetime64(p1 + timedelta(days=1)))
            cur[inside] = np.minimum(
                cur[inside]
                + (np.datetime64(p1 + timedelta(days=1)) - cur[inside].astype("datetime64[D]")),
                last,
            )
        new_ts[is_ret] = cur
    lines[S.ORDER_DATE] = new_ts.astype(lines[S.ORDER_DATE].dtype)

    # --- names, money, places --------------------------------------------------------------
    pid = lines[S.PRODUCT_ID].astype(str)
    names = lines[S.PRODUCT_NAME].astype(str).map(_zh_name)
    for code, zh in _NON_PRODUCT.items():
        names = names.where(pid != code, zh)
    lines[S.PRODUCT_NAME] = names.astype(lines[S.PRODUCT_NAME].dtype)
    lines[S.CATEGORY] = (
        lines[S.CATEGORY].map(lambda c: CATEGORIES.get(c, c) if isinstance(c, str) else c)
    ).astype(lines[S.CATEGORY].dtype)
    price = lines[S.UNIT_PRICE].to_numpy(float)
    cny = np.where(price > 0, np.floor(price * CNY_PER_GBP) + 0.9, price * CNY_PER_GBP)
    lines[S.UNIT_PRICE] = np.round(cny, 2)
    lines[S.REVENUE] = np.round(lines[S.QUANTITY].to_numpy(float) * lines[S.UNIT_PRICE], 2)
    if S.CHANNEL in lines:
        lines[S.CHANNEL] = lines[S.CHANNEL].map(
            lambda c: _CHANNELS.get(c, c) if isinstance(c, str) else c
        )
    provs = np.array(list(PROVINCES))
    share = np.array(list(PROVINCES.values()))
    share = share / share.sum()
    cust = lines[S.CUSTOMER_ID].astype("string")
    uniq = pd.unique(cust.dropna())
    cust_prov = pd.Series(rng.choice(provs, size=len(uniq), p=share), index=uniq)
    order_ids = lines[S.ORDER_ID].astype(str).str.removeprefix("C")
    uniq_orders = pd.unique(order_ids)
    order_prov = pd.Series(rng.choice(provs, size=len(uniq_orders), p=share), index=uniq_orders)
    prov = cust.map(cust_prov).fillna(order_ids.map(order_prov))
    # the province is the region, in its short form, as the Chinese platform exports are read
    lines[S.COUNTRY] = prov.map(_SHORT_NAME).astype(lines[S.COUNTRY].dtype)
    lines = lines.drop(columns=[S.LOCATION], errors="ignore")
    lines = lines.sort_values([S.ORDER_DATE, S.ORDER_ID], kind="stable").reset_index(drop=True)
    lines[S.LINE_NO] = np.arange(1, len(lines) + 1)
    cols = [c for c in S.CANONICAL if c in lines] + [c for c in lines if c not in S.CANONICAL]
    lines = lines[cols]

    n_sales = len(order_ts)
    expected = pd.Series(inten / inten.sum() * n_sales, index=day_index)
    truth = ZhDemoTruth(
        seed=seed,
        start=start,
        end=end,
        festivals=tuple(effects),
        pauses=tuple(pauses),
        weekly_profile=_WEEKLY,
        trend=_TREND,
        expected_orders=expected,
        provinces=tuple(PROVINCES),
        currency="CNY",
        cny_per_gbp=CNY_PER_GBP,
        base=base.truth,
    )
    return ZhDemo(lines=lines, truth=truth)
