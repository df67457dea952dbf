"""The canonical order-line table: column names, dtypes, and what each analysis needs.

One row per order line. Optional columns may be absent from a dataset; ``REQUIREMENTS``
says which analysis needs which, and :func:`missing_for` tells a page what it cannot do.
"""

from __future__ import annotations

import re

import pandas as pd

from ecomdash.i18n import N_, _

ORDER_ID = "order_id"
ORDER_DATE = "order_date"
CUSTOMER_ID = "customer_id"
PRODUCT_ID = "product_id"
PRODUCT_NAME = "product_name"
QUANTITY = "quantity"
UNIT_PRICE = "unit_price"
REVENUE = "revenue"
COUNTRY = "country"
CATEGORY = "category"
CHANNEL = "channel"
LOCATION = "location"  # store / shop / branch / region of a sale (summed sales tables)

#: Columns a merchant's file can be mapped to, in display order.
CANONICAL = (
    ORDER_ID,
    ORDER_DATE,
    CUSTOMER_ID,
    PRODUCT_ID,
    PRODUCT_NAME,
    QUANTITY,
    UNIT_PRICE,
    REVENUE,
    COUNTRY,
    CATEGORY,
    CHANNEL,
    LOCATION,
)

# Flags added by cleaning (always present in a stored dataset).
IS_RETURN = "is_return"  # a cancellation / return line (negative quantity or cancellation invoice)
IS_NON_PRODUCT = "is_non_product"  # postage, fees, manual adjustments, vouchers ...
IS_CANCELLED = "is_cancelled"  # a sale line later cancelled by a matched return line
LINE_NO = "line_no"  # 1-based line number in the original file (header = line 1 for text files)

FLAGS = (IS_RETURN, IS_NON_PRODUCT, IS_CANCELLED)

#: Storage dtypes of the canonical table (pandas names).
DTYPES: dict[str, str] = {
    ORDER_ID: "string",
    ORDER_DATE: "datetime64[us]",
    CUSTOMER_ID: "string",
    PRODUCT_ID: "string",
    PRODUCT_NAME: "string",
    QUANTITY: "float64",
    UNIT_PRICE: "float64",
    REVENUE: "float64",
    COUNTRY: "string",
    CATEGORY: "string",
    CHANNEL: "string",
    IS_RETURN: "bool",
    IS_NON_PRODUCT: "bool",
    IS_CANCELLED: "bool",
    LINE_NO: "int64",
}
#: Dtypes of canonical columns added later, which order-line tables (the demo) do not carry.
LATER_DTYPES: dict[str, str] = {LOCATION: "string"}
#: Every canonical column's dtype.
ALL_DTYPES: dict[str, str] = {**DTYPES, **LATER_DTYPES}

#: Stock codes that are not products (postage, fees, adjustments, vouchers, tests), whatever
#: the line's name. Matched case-insensitively against the whole product id.
NON_PRODUCT_CODE = re.compile(
    r"^(POST|DOT|PADS|CRUK|GIFT|FEE|AMAZONFEE|BANK CHARGES|ADJUST\d*|TEST\d*|gift_.*|DCGS.*)$",
    re.IGNORECASE,
)
#: Short codes that are UCI Online Retail's non-product lines (M = Manual, D = Discount,
#: S = Samples, B = bad debt, C2/C3 = carriage) but can be a real shop's SKU (a size "M" or
#: "S"): a line with one of them is a non-product line only when its name says so
#: (:data:`NON_PRODUCT_NAME`) or it has no name.
SHORT_NON_PRODUCT_CODE = re.compile(r"^(M|C2|C3|D|S|B)$", re.IGNORECASE)
#: Product names that are not products (used when ids are opaque).
NON_PRODUCT_NAME = re.compile(
    r"^\s*(postage|carriage|shipping( fee)?|delivery( charge)?|manual|discount|bank charges?"
    r"|adjust(ment)?\b.*|amazon fee|samples?|gift voucher.*|运费|邮费|手续费|优惠|折扣)\s*$",
    re.IGNORECASE,
)

#: What each analysis needs. Each entry is a list of alternatives; each alternative a set of
#: columns that must all be present.
REQUIREMENTS: dict[str, list[set[str]]] = {
    # without an amount the overview shows counts (orders, units, busiest hours)
    "overview": [{ORDER_DATE, REVENUE}, {ORDER_DATE, ORDER_ID}, {ORDER_DATE, QUANTITY}],
    "basket": [{ORDER_ID, PRODUCT_ID}],
    "forecast": [{ORDER_DATE, REVENUE}, {ORDER_DATE, QUANTITY}, {ORDER_DATE, ORDER_ID}],
    "restock": [{ORDER_DATE, PRODUCT_ID, QUANTITY}],
    "segment": [{CUSTOMER_ID, ORDER_DATE, REVENUE}],
    "clv": [{CUSTOMER_ID, ORDER_DATE, REVENUE}],
    "recommend": [{CUSTOMER_ID, PRODUCT_ID}],
    "pricing": [
        {ORDER_DATE, PRODUCT_ID, QUANTITY, UNIT_PRICE},
        {ORDER_DATE, PRODUCT_ID, QUANTITY, REVENUE},
    ],
}

ANALYSIS_LABELS = {
    "overview": N_("the overview"),
    "basket": N_("basket analysis"),
    "forecast": N_("forecasting"),
    "restock": N_("the restock planner"),
    "segment": N_("customer segmentation"),
    "clv": N_("customer value"),
    "recommend": N_("recommendations"),
    "pricing": N_("pricing"),
}


#: How a merchant reads each field a file's columns are mapped to (the Data page's mapping,
#: its tables, the pages' "no … column" messages, the ingest's reasons and errors). The mapping,
#: the store and the CLI (``--map order_id=Invoice``) keep the ids; a Note names a field with
#: ``ecomdash.i18n.note.Field(id)`` (its English text is the id: what ``--map`` takes). Where
#: the other pages' tables head the same column (``labels.COLUMNS``) the name is that header's
#: message id ("Order id", translated in labels.po); the others are the Data page's (data.po).
FIELD_NAMES: dict[str, str] = {
    ORDER_ID: N_("Order id"),
    ORDER_DATE: N_("Order date"),
    CUSTOMER_ID: N_("Customer id"),
    PRODUCT_ID: N_("Product id / SKU"),
    PRODUCT_NAME: N_("Product name"),
    QUANTITY: N_("Quantity"),
    UNIT_PRICE: N_("Unit price"),
    REVENUE: N_("Line amount"),
    COUNTRY: N_("Country / region"),
    CATEGORY: N_("Category"),
    CHANNEL: N_("Channel"),
    LOCATION: N_("Store / location"),
    "status": N_("Order status"),
    "event": N_("Event flag"),
}


def field_name(fld: str) -> str:
    """A canonical field as a merchant reads it, in the current language (an unknown id as
    it is)."""
    return _(FIELD_NAMES[fld]) if fld in FIELD_NAMES else fld


#: What each field would unlock (page messages when a dataset lacks it).
FIELD_UNLOCKS: dict[str, str] = {
    CUSTOMER_ID: N_(
        "customer segments (RFM), customer value and churn, personal recommendations, "
        "new vs returning customers"
    ),
    REVENUE: N_(
        "revenue, average order value, returns value, customer value and segments by spend"
    ),
    ORDER_ID: N_("basket analysis (products bought together) and orders per period"),
    QUANTITY: N_("units sold, restock planning and unit forecasts"),
    PRODUCT_ID: N_("basket analysis, top products, restock planning and recommendations"),
    ORDER_DATE: N_("every analysis over time: trends, forecasts, segments"),
}
#: How a merchant gets each field (the file or column to add).
FIELD_HOW: dict[str, str] = {
    CUSTOMER_ID: N_(
        "a customer id or email column (in a marketplace export: the orders table, "
        "joined with the customers table)"
    ),
    REVENUE: N_("a unit price or line amount column (a price list or the order items table)"),
    ORDER_ID: N_("an order or receipt number on each line"),
    QUANTITY: N_("a quantity column (or one row per unit, which is counted)"),
    PRODUCT_ID: N_("a product code or name on each line"),
    ORDER_DATE: N_("the order date (in a marketplace export: the orders table)"),
}

#: Dataset kinds (recorded in the store's catalogue, in the dataset's report).
KIND_LINES = "lines"  # one row per order line (or payment)
KIND_SUMMED = "summed"  # already summed: one row per date × group (store, department, SKU)
#: The columns a summed table is grouped by, in display order.
GROUP_COLUMNS = (LOCATION, CATEGORY, PRODUCT_ID, CHANNEL, COUNTRY)
#: Analyses that need order lines, hence cannot run on a summed table: the file that unlocks each.
NEEDS_LINES: dict[str, str] = {
    "basket": N_("an order-line export: one row per product in each order, with the order id"),
    "segment": N_("an order export with a customer id, the order date and the amount on each row"),
    "clv": N_("an order export with a customer id, the order date and the amount on each row"),
    "recommend": N_("an order-line export with a customer id and the product on each row"),
}


def dataset_kind(columns: set[str] | list[str] | tuple[str, ...]) -> str:
    """``summed`` for a table with a date, an amount (or units) and grouping columns but no
    order id and no customer (Walmart's ``Store, Dept, Date, Weekly_Sales``; ``sku, date,
    units, revenue``); else ``lines``.

    >>> dataset_kind({"order_date", "revenue", "location", "category"})
    'summed'
    >>> dataset_kind({"order_date", "revenue", "customer_id", "product_id"})
    'lines'
    """
    have = set(columns)
    if ORDER_DATE not in have or not ({REVENUE, QUANTITY} & have):
        return KIND_LINES
    if ORDER_ID in have or CUSTOMER_ID in have:
        return KIND_LINES
    if not ({LOCATION, CATEGORY, PRODUCT_ID} & have):
        return KIND_LINES
    return KIND_SUMMED


def missing_for(analysis: str, columns: set[str] | list[str] | tuple[str, ...]) -> set[str]:
    """Columns still missing for ``analysis`` (empty when it can run).

    Returns the smallest set of missing columns over the alternatives.

    >>> sorted(missing_for("basket", {"order_id"}))
    ['product_id']
    """
    have = set(columns)
    gaps = [alt - have for alt in REQUIREMENTS[analysis]]
    return min(gaps, key=len)


def sales_lines(lines: pd.DataFrame, *, keep_non_product: bool = False) -> pd.DataFrame:
    """Standard cleaning shared by every analysis: real sales of real products.

    Drops return/cancellation lines, (unless ``keep_non_product``) postage/fee lines,
    lines with a non-positive quantity or price where those columns exist.
    Sale lines later cancelled (``is_cancelled``) are kept: they are still purchases
    the customer placed; the overview nets them out through returns.

    On UCI Online Retail II 2009-2010 this leaves 20,573 orders and 4,285 customers.
    """
    mask = pd.Series(True, index=lines.index)
    if IS_RETURN in lines:
        mask &= ~lines[IS_RETURN].astype(bool)
    if not keep_non_product and IS_NON_PRODUCT in lines:
        mask &= ~lines[IS_NON_PRODUCT].astype(bool)
    if QUANTITY in lines:
        mask &= lines[QUANTITY].fillna(0) > 0
    if UNIT_PRICE in lines:
        mask &= lines[UNIT_PRICE].fillna(0) > 0
    elif REVENUE in lines:
        mask &= lines[REVENUE].fillna(0) > 0
    return lines.loc[mask]


#: What an order is wherever orders are counted (the Overview's Orders tile, the summed-sales
#: and count-only tiles; the Basket page's baskets are these orders).
ORDER_DEFINITION = N_("Orders with at least one product line that was not cancelled.")

#: What every page that counts customers says a customer is (:func:`customer_sales`), one
#: sentence: the Overview's tile help, the Segments, Customer value and Recommendations pages.
CUSTOMER_DEFINITION = N_(
    "Customers: customer ids with at least one product order that was not cancelled in the "
    "period shown; orders cancelled in full, postage or fees alone and guest orders (no id) "
    "do not count."
)
#: The same on a dataset without an order id (CDNOW): its purchases are counted per customer
#: and day, as the customer pages count them, never as orders it does not have.
CUSTOMER_DEFINITION_DAYS = N_(
    "Customers: customer ids who bought a product that was not cancelled on at least one day "
    "of the period shown (without an order id, a customer's purchases of one day count as one "
    "purchase day); cancelled purchases, postage or fees alone and lines without a customer id "
    "do not count."
)


def customer_definition(columns) -> str:
    """The message id of what a customer is on a dataset with ``columns``: in orders, or in
    purchase days where the dataset has no order id."""
    return CUSTOMER_DEFINITION if ORDER_ID in columns else CUSTOMER_DEFINITION_DAYS


def customer_sales(lines: pd.DataFrame, *, keep_non_product: bool = False) -> pd.DataFrame:
    """The purchases a customer is credited with: :func:`sales_lines` less the sale lines
    later cancelled (``is_cancelled``: matched to the return that cancels them).

    One definition for every customer page (segments, customer value, churn, cohorts,
    recommendations), the Overview's: a customer is someone with a kept product sale, and
    their orders are the orders with at least one kept product line (``kpis``: ``orders``,
    ``customers``). A customer whose every order was cancelled, or who only paid postage or
    fees, is not a customer. The store's SQL twin is ``Store.customer_predicate``.

    Basket analysis builds its baskets from the same kept purchases (guest orders included:
    a basket needs an order, not a customer), so its baskets are the Overview's orders;
    ``keep_non_product`` keeps postage and fee lines, as in :func:`sales_lines`, for its
    "include non-product lines" setting.
    """
    sales = sales_lines(lines, keep_non_product=keep_non_product)
    if IS_CANCELLED in sales:
        sales = sales.loc[~sales[IS_CANCELLED].astype(bool)]
    return sales
