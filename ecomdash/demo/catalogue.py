"""The demo catalogue: product names, categories, prices, ids and popularity; the planted
bundle pairs and price-elastic products (``_BUNDLES``, ``_ELASTIC``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import numpy as np
import pandas as pd

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note


def _ro(values: object) -> np.ndarray:
    """A read-only array constant (no module-level mutable state)."""
    arr = np.array(values)
    arr.flags.writeable = False
    return arr


#: Fixed default start: 730 days from here end on 2026-10-31 (never "today": determinism).
DEFAULT_START = date(2024, 11, 1)

# ----------------------------------------------------------------------------------------
# Catalogue
# ----------------------------------------------------------------------------------------

#: category -> (median price in GBP, [(noun, [variants ...]), ...])
_CATALOGUE: Mapping[str, tuple[float, tuple[tuple[str, tuple[str, ...]], ...]]] = MappingProxyType(
    {
        "Kitchen": (
            11.0,
            (
                ("Enamel Teapot", ("Cream", "Sage", "Navy")),
                ("Loose Leaf Tea Tin", ("Earl Grey", "Breakfast", "Chamomile")),
                ("Ceramic Mug", ("Blue", "White", "Speckled", "Mustard", "Green")),
                ("Bamboo Chopping Board", ("Small", "Large")),
                ("Glass Storage Jar", ("500 ml", "1 l", "2 l")),
                ("Linen Tea Towel", ("Stripe", "Check", "Plain")),
                ("Cast Iron Skillet", ("20 cm", "26 cm")),
                ("Wooden Spoon Set", ("Beech", "Olive")),
                ("Cake Tin", ("Round", "Square", "Loaf")),
                ("Espresso Cup Set", ("Black", "Terracotta")),
                ("Spice Rack", ("Oak", "Walnut")),
                ("Butter Dish", ("Glass", "Stoneware", "Enamel")),
            ),
        ),
        "Home Decor": (
            18.0,
            (
                ("Scented Candle", ("Fig", "Cedar", "Lavender", "Sea Salt", "Amber")),
                ("Ceramic Vase", ("Tall", "Bud", "Round", "Ribbed")),
                ("Photo Frame", ("A4 Oak", "A5 Brass", "6x4 Black")),
                ("Wall Clock", ("Station", "Minimal", "Retro")),
                ("Cushion Cover", ("Ochre", "Teal", "Linen", "Velvet Rose")),
                ("Woven Basket", ("Small", "Medium", "Large")),
                ("Mirror", ("Round", "Arched")),
                ("Incense Holder", ("Brass", "Stone")),
                ("Candle Holder", ("Glass", "Iron", "Marble")),
                ("Wall Print", ("Botanical", "Abstract")),
                ("Picture Ledge", ("Oak", "White", "Black")),
            ),
        ),
        "Garden": (
            14.0,
            (
                ("Terracotta Pot", ("12 cm", "18 cm", "25 cm")),
                ("Watering Can", ("Galvanised", "Green", "Indoor")),
                ("Seed Kit", ("Herbs", "Wildflower", "Tomato", "Chilli")),
                ("Bird Feeder", ("Hanging", "Window")),
                ("Garden Gloves", ("S", "M", "L")),
                ("Plant Mister", ("Glass", "Copper")),
                ("Hand Trowel", ("Ash", "Steel")),
                ("Solar Lantern", ("Moroccan", "Jar", "Star")),
                ("Kneeling Pad", ("Olive", "Grey")),
                ("Plant Labels", ("Slate", "Zinc", "Wood")),
                ("Hanging Planter", ("Macrame", "Ceramic", "Brass")),
            ),
        ),
        "Stationery": (
            6.0,
            (
                ("Notebook", ("A5 Lined", "A5 Dot", "A6 Plain", "A4 Grid")),
                ("Fountain Pen", ("Black", "Blue", "Burgundy")),
                ("Washi Tape Set", ("Pastel", "Floral", "Metallic")),
                ("Desk Planner", ("Weekly", "Monthly")),
                ("Pencil Set", ("Graphite", "Colour")),
                ("Greeting Card", ("Birthday", "Thank You", "Blank", "Wedding")),
                ("Sticky Notes", ("Neon", "Kraft")),
                ("Letter Writing Set", ("Floral", "Classic")),
                ("Bookmark", ("Leather", "Brass", "Pressed Flower")),
                ("Ink Cartridges", ("Black", "Blue")),
                ("Sketchbook", ("A4", "A5", "Square")),
            ),
        ),
        "Toys & Games": (
            15.0,
            (
                ("Jigsaw Puzzle", ("500 pc", "1000 pc", "Kids 100 pc")),
                ("Wooden Train Set", ("Starter", "Deluxe")),
                ("Card Game", ("Classic", "Family", "Travel")),
                ("Plush Bunny", ("Grey", "Pink", "Cream")),
                ("Building Blocks", ("50 pc", "120 pc")),
                ("Kite", ("Diamond", "Box")),
                ("Skipping Rope", ("Red", "Blue")),
                ("Spinning Top", ("Wood", "Tin")),
                ("Marble Run", ("Small", "Large")),
                ("Colouring Book", ("Animals", "Cities", "Patterns")),
                ("Dominoes", ("Wooden", "Travel")),
                ("Yo-Yo", ("Red", "Blue", "Glow")),
            ),
        ),
        "Bath & Body": (
            8.0,
            (
                ("Bath Bomb", ("Rose", "Eucalyptus", "Citrus", "Lavender")),
                ("Hand Cream", ("Rose", "Neroli", "Unscented")),
                ("Soap Bar", ("Oatmeal", "Charcoal", "Honey", "Lemongrass")),
                ("Body Lotion", ("Coconut", "Shea")),
                ("Bath Salts", ("Dead Sea", "Magnesium")),
                ("Lip Balm", ("Mint", "Vanilla", "Berry")),
                ("Loofah Sponge", ("Natural", "Mitt")),
                ("Shower Gel", ("Fig", "Citrus")),
                ("Nail Brush", ("Beech", "Bamboo")),
                ("Face Cloth", ("Waffle", "Muslin")),
                ("Bath Oil", ("Rose", "Lavender", "Cedar")),
            ),
        ),
        "Bags & Accessories": (
            24.0,
            (
                ("Canvas Tote Bag", ("Natural", "Black", "Striped")),
                ("Leather Wallet", ("Tan", "Black", "Oxblood")),
                ("Wool Scarf", ("Grey", "Camel", "Tartan")),
                ("Umbrella", ("Compact", "Golf")),
                ("Card Holder", ("Tan", "Navy")),
                ("Beanie Hat", ("Charcoal", "Mustard", "Forest")),
                ("Lunch Bag", ("Insulated", "Canvas")),
                ("Key Ring", ("Brass", "Leather")),
                ("Backpack", ("Roll Top", "Daypack")),
                ("Sunglasses Case", ("Tortoise", "Black")),
                ("Weekend Bag", ("Canvas", "Leather")),
                ("Gloves", ("Leather Tan", "Wool Grey", "Knit Red")),
            ),
        ),
        "Party & Gifts": (
            5.0,
            (
                ("Gift Wrap Roll", ("Kraft", "Stars", "Floral", "Christmas")),
                ("Gift Tag Set", ("Kraft", "Gold")),
                ("Party Balloons", ("Gold", "Pastel", "Rainbow")),
                ("Paper Bunting", ("Rainbow", "Union Jack", "Hearts")),
                ("Birthday Candles", ("Gold", "Number")),
                ("Paper Napkins", ("Floral", "Plain", "Stripe")),
                ("Gift Box", ("Small", "Medium", "Large")),
                ("Ribbon Spool", ("Red", "Silver", "Velvet Green")),
                ("Christmas Bauble", ("Glass Red", "Glass Gold", "Felt")),
                ("Advent Calendar", ("Wooden", "Fabric")),
                ("Party Hats", ("Gold", "Striped", "Animal")),
            ),
        ),
        "Lighting": (
            28.0,
            (
                ("String Lights", ("Warm 10 m", "Festoon", "Copper Wire")),
                ("Table Lamp", ("Ceramic", "Brass", "Rattan")),
                ("Lantern", ("Storm", "Hanging", "Tea Light")),
                ("Lamp Shade", ("Linen", "Pleated", "Rattan")),
                ("Night Light", ("Moon", "Cloud")),
                ("LED Bulb", ("Filament", "Globe")),
                ("Floor Lamp", ("Tripod", "Arc")),
                ("Reading Light", ("Clip", "Book")),
                ("Candle Lantern", ("Glass", "Metal")),
                ("Fairy Light Jar", ("Small", "Large")),
                ("Desk Lamp", ("Anglepoise", "Mushroom", "Brass")),
            ),
        ),
        "Textiles": (
            30.0,
            (
                ("Throw Blanket", ("Herringbone", "Chunky Knit", "Mohair", "Fleece")),
                ("Tablecloth", ("Linen White", "Gingham", "Floral")),
                ("Apron", ("Denim", "Linen", "Striped")),
                ("Bath Towel", ("Grey", "White", "Sage")),
                ("Bed Runner", ("Velvet", "Woven")),
                ("Pillowcase Pair", ("Linen", "Cotton")),
                ("Doormat", ("Coir", "Welcome")),
                ("Rug", ("Jute", "Berber")),
                ("Curtain Panel", ("Blackout", "Voile")),
                ("Table Runner", ("Linen", "Festive")),
                ("Napkin Set", ("Linen", "Gingham", "Festive")),
            ),
        ),
    }
)

_CATEGORY_CODES: Mapping[str, str] = MappingProxyType(
    {
        "Kitchen": "KIT",
        "Home Decor": "DEC",
        "Garden": "GAR",
        "Stationery": "STA",
        "Toys & Games": "TOY",
        "Bath & Body": "BAT",
        "Bags & Accessories": "BAG",
        "Party & Gifts": "PAR",
        "Lighting": "LIG",
        "Textiles": "TEX",
    }
)

# Bundles: (antecedent name, consequent name, s = P(pair drawn), a0 = P(A alone), b0 = P(B alone))
_BUNDLES: tuple[tuple[str, str, float, float, float], ...] = (
    ("Enamel Teapot – Cream", "Loose Leaf Tea Tin – Earl Grey", 0.012, 0.020, 0.035),
    ("Fountain Pen – Black", "Ink Cartridges – Black", 0.012, 0.030, 0.035),
    ("Watering Can – Galvanised", "Terracotta Pot – 18 cm", 0.015, 0.040, 0.050),
    ("Gift Wrap Roll – Kraft", "Gift Tag Set – Kraft", 0.020, 0.060, 0.060),
)

# Price-elastic products: (name, base probability per order, elasticity, price factor, change day)
_ELASTIC: tuple[tuple[str, float, float, float, int], ...] = (
    ("Scented Candle – Fig", 0.060, -0.8, 0.65, 300),
    ("Canvas Tote Bag – Natural", 0.060, -1.2, 1.50, 330),
    ("Throw Blanket – Herringbone", 0.060, -1.6, 0.70, 365),
    ("Hand Cream – Rose", 0.060, -2.0, 1.40, 400),
    ("Jigsaw Puzzle – 1000 pc", 0.060, -2.5, 1.50, 430),
)


def _bundle_truth(s: float, a0: float, b0: float) -> tuple[float, float, float]:
    """Expected (lift, support, confidence) of independent pair/A/B Bernoulli draws."""
    pa = 1 - (1 - s) * (1 - a0)
    pb = 1 - (1 - s) * (1 - b0)
    pab = s + (1 - s) * a0 * b0
    return pab / (pa * pb), pab, pab / pa


def _catalogue(rng: np.random.Generator, n_products: int) -> pd.DataFrame:
    rows = []
    for cat, (median, nouns) in _CATALOGUE.items():
        for noun, variants in nouns:
            for v in variants:
                rows.append((cat, f"{noun} – {v}", median))
    cat_df = pd.DataFrame(rows, columns=["category", "product_name", "median"])
    special = {b[0] for b in _BUNDLES} | {b[1] for b in _BUNDLES} | {e[0] for e in _ELASTIC}
    is_special = cat_df["product_name"].isin(special).to_numpy()
    if n_products < len(special) + 20:
        raise ParameterError(
            note(
                N_(
                    "The demo needs at least {need} products (its {special} planted bundle and "
                    "price-change products plus a catalogue); got n_products={n}. Ask for more "
                    "products."
                ),
                need=len(special) + 20,
                special=len(special),
                n=n_products,
            )
        )
    if n_products > len(cat_df):
        raise ParameterError(
            note(
                N_(
                    "The demo catalogue has {most} product names; got n_products={n}. Ask for "
                    "at most {most} products."
                ),
                most=len(cat_df),
                n=n_products,
            )
        )
    others = np.flatnonzero(~is_special)
    keep = np.sort(
        np.concatenate(
            [
                np.flatnonzero(is_special),
                rng.choice(others, n_products - int(is_special.sum()), replace=False),
            ]
        )
    )
    df = cat_df.iloc[keep].reset_index(drop=True)
    n = len(df)
    price = df["median"].to_numpy() * np.exp(rng.normal(0.0, 0.45, n))
    df["base_price"] = np.maximum(np.round(price * 2) / 2 - 0.01, 0.49)
    # Product ids: category code + 3 digits, numbered in a shuffled order within category.
    codes = df["category"].map(_CATEGORY_CODES)
    num = np.empty(n, dtype=int)
    for _cat, idx in df.groupby("category").indices.items():
        num[idx] = 100 + rng.permutation(len(idx)) * 7 + 3
    df["product_id"] = codes + "-" + pd.Series(num).astype(str).str.zfill(3)
    kind = np.full(n, "catalogue", dtype=object)
    names = df["product_name"].to_numpy()
    kind[np.isin(names, [b[0] for b in _BUNDLES] + [b[1] for b in _BUNDLES])] = "bundle"
    kind[np.isin(names, [e[0] for e in _ELASTIC])] = "elastic"
    df["kind"] = kind
    # Zipf-like popularity over the catalogue products (random ranks).
    pop = np.zeros(n)
    cat_idx = np.flatnonzero(kind == "catalogue")
    ranks = rng.permutation(len(cat_idx)) + 1
    pop[cat_idx] = 1.0 / ranks**0.9
    pop[cat_idx] /= pop[cat_idx].sum()
    df["popularity"] = pop
    return df[["product_id", "product_name", "category", "base_price", "popularity", "kind"]]
