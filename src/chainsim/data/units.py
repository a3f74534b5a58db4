"""The money unit of a table: which currency its flows are in and how many currency units one table unit is.

An input-output table states its unit in words (NBS: "10k CNY" = 万元; pymrio's test system
"M.EUR"; WIOD "USD mn"). Every number chainsim prints or writes in money goes through a
:class:`MoneyUnit` read from the table, so a table in million USD is reported in USD,
never as CNY. No exchange rate is applied: chainsim does not convert currencies unless the
table gives its own yuan factor (``IOTable.cny_per_unit`` other than 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["MONEY_STEMS", "MoneyUnit", "find_money_column", "money_column", "money_columns", "money_of_column",
           "money_unit", "parse_unit"]

# ISO 4217 codes (and common spellings) recognised in a unit string
_CURRENCIES = {"CNY": "CNY", "RMB": "CNY", "YUAN": "CNY", "元": "CNY", "USD": "USD", "US$": "USD", "EUR": "EUR",
               "JPY": "JPY", "KRW": "KRW", "TWD": "TWD", "GBP": "GBP", "RUB": "RUB", "INR": "INR", "AUD": "AUD",
               "BRL": "BRL", "CAD": "CAD", "CHF": "CHF", "HKD": "HKD"}
# scale words, longest first so that "10k" wins over "k"
_SCALES = [("hundred million", 1e8), ("亿", 1e8), ("10k", 1e4), ("万", 1e4), ("thousand", 1e3), ("billion", 1e9),
           ("million", 1e6), ("mill", 1e6), ("mio", 1e6), ("mn", 1e6), ("bn", 1e9), ("m.", 1e6), ("k", 1e3), ("m", 1e6)]
_WORDS = {1.0: "", 1e3: "thousand", 1e6: "million", 1e9: "bn", 1e12: "trillion"}
#: Money columns of chainsim's tables by stem: each is named ``<stem>_<code>`` after the table's
#: currency (:func:`money_column`). Costs (``cost_bn_cny``) are not among them: the scenario
#: states them in billion CNY whatever the table's currency.
MONEY_STEMS = ("loss", "loss_mean", "loss_diff", "alone_loss_diff", "shapley_loss_diff")


@dataclass(frozen=True)
class MoneyUnit:
    """What one table unit is worth.

    Attributes
    ----------
    currency : str or None
        ISO 4217 code (``"CNY"``, ``"USD"``, ``"EUR"``), or ``None`` when the table does not say.
    per_unit : float
        Currency units per table unit (``1e4`` for 10k CNY, ``1e6`` for million USD); 1 when
        the currency is unknown.
    unit : str
        The table's unit as written.

    Examples
    --------
    >>> m = parse_unit("M.EUR")
    >>> m.currency, m.per_unit, m.code
    ('EUR', 1000000.0, 'eur')
    >>> m.format(2.5e9)
    '2.50 bn EUR'
    >>> parse_unit("currency unit").format(2.5e9)
    '2.50 bn table units (currency unit)'
    """

    currency: str | None
    per_unit: float
    unit: str

    @property
    def code(self) -> str:
        """Lower-case suffix for column names: ``"cny"``, ``"usd"`` …, or ``"units"`` when unknown."""
        return self.currency.lower() if self.currency else "units"

    @property
    def name(self) -> str:
        """``"CNY"``, ``"USD"`` …, or ``"table units (<unit>)"`` when the currency is unknown."""
        return self.currency or (f"table units ({self.unit})" if self.unit else "table units")

    def amount(self, table_units: Any) -> Any:
        """Money in currency units (yuan, dollars …) of a value in table units."""
        return table_units * self.per_unit

    def label(self, scale: float = 1e9) -> str:
        """Axis or column label of amounts divided by ``scale``, e.g. ``"bn CNY"``."""
        word = _WORDS.get(float(scale), f"x{scale:g}")
        return f"{word} {self.name}".strip()

    def format(self, amount: float | None, scale: float = 1e9, spec: str = ",.2f") -> str:
        """``"12.34 bn CNY"`` for an amount in currency units (``—`` when missing)."""
        if amount is None or amount != amount:
            return "—"
        return f"{format(amount / scale, spec)} {self.label(scale)}"


def parse_unit(unit: str, cny_per_unit: float = 1.0) -> MoneyUnit:
    """Read currency and scale from a unit string (and an explicit yuan factor, when given).

    Parameters
    ----------
    unit : str
        E.g. ``"10k CNY"``, ``"万元"``, ``"M.EUR"``, ``"Mill USD"`` (pymrio), ``"million USD"``, ``"USD mn"``.
    cny_per_unit : float
        ``IOTable.cny_per_unit``. A value other than 1 is the table's own statement of yuan
        per table unit and wins over the words (a USD table that gives a yuan factor is
        reported in CNY).

    Examples
    --------
    >>> parse_unit("10k CNY", 1e4)
    MoneyUnit(currency='CNY', per_unit=10000.0, unit='10k CNY')
    >>> parse_unit("万元").per_unit
    10000.0
    >>> parse_unit("million USD")
    MoneyUnit(currency='USD', per_unit=1000000.0, unit='million USD')
    >>> parse_unit("currency unit")
    MoneyUnit(currency=None, per_unit=1.0, unit='currency unit')
    """
    text = str(unit)
    if float(cny_per_unit) != 1.0:
        return MoneyUnit("CNY", float(cny_per_unit), text)
    found: dict[str, re.Match[str]] = {}
    for token, iso in _CURRENCIES.items():
        pattern = re.escape(token) if not token.isascii() else rf"(?<![A-Za-z]){re.escape(token)}(?![A-Za-z])"
        m = re.search(pattern, text, flags=re.IGNORECASE if token.isascii() else 0)
        if m and iso not in found:
            found[iso] = m
    if len(found) != 1:  # none named, or several (a table mixing currencies has no single money unit)
        return MoneyUnit(None, 1.0, text)
    ((currency, m),) = found.items()
    rest = text[: m.start()] + " " + text[m.end():]
    scale = 1.0
    low = rest.lower()
    for word, factor in _SCALES:
        pat = re.escape(word) if not word.isascii() else rf"(?<![a-z0-9]){re.escape(word)}(?![a-z])"
        if re.search(pat, low):
            scale = factor
            break
    return MoneyUnit(currency, scale, text)


def money_unit(table: Any) -> MoneyUnit:
    """The :class:`MoneyUnit` of an :class:`~chainsim.data.iotable.IOTable` (its ``unit`` and ``cny_per_unit``)."""
    return parse_unit(getattr(table, "unit", ""), getattr(table, "cny_per_unit", 1.0))


def _code(money: MoneyUnit | str) -> str:
    return money.code if isinstance(money, MoneyUnit) else str(money).lower()


def money_column(stem: str, money: MoneyUnit | str) -> str:
    """The name of a money column: ``stem`` and the currency code (``loss_diff`` -> ``loss_diff_cny``).

    ``money`` is the table's :class:`MoneyUnit` (or its code). The one rule for every money
    column chainsim writes: ``loss_cny``, ``loss_mean_cny``, ``loss_diff_cny`` … for the
    shipped tables in CNY, ``loss_usd`` … for a table in USD, ``loss_units`` … when the table
    names no currency.

    Examples
    --------
    >>> money_column("loss_diff", parse_unit("10k CNY", 1e4))
    'loss_diff_cny'
    >>> money_column("loss", parse_unit("Mill USD"))
    'loss_usd'
    >>> money_column("shapley_loss_diff", parse_unit("currency unit"))
    'shapley_loss_diff_units'
    """
    if stem not in MONEY_STEMS:
        raise ValueError(f"money_column: '{stem}' is not a money column; expected one of {list(MONEY_STEMS)}")
    return f"{stem}_{_code(money)}"


def money_columns(columns: Any, money: MoneyUnit | str) -> list[str]:
    """Column names written for a CNY table (``loss_cny``, ``loss_diff_cny`` …) renamed for ``money``.

    Examples
    --------
    >>> money_columns(["pathway", "loss_cny", "loss_diff_cny", "loss_diff_lo", "cost_bn_cny"], "usd")
    ['pathway', 'loss_usd', 'loss_diff_usd', 'loss_diff_lo', 'cost_bn_cny']
    """
    return [money_column(c[: -len("_cny")], money) if c.endswith("_cny") and c[: -len("_cny")] in MONEY_STEMS
            else c for c in columns]


def _codes() -> set[str]:
    return {c.lower() for c in _CURRENCIES.values()} | {"units"}


def find_money_column(columns: Any, stem: str) -> str:
    """The one column of ``columns`` named ``<stem>_<currency code>`` (the reverse of :func:`money_column`).

    Raises
    ------
    ValueError
        No such column, or several.

    Examples
    --------
    >>> find_money_column(["pathway", "loss_eur", "loss_days", "loss_diff_eur", "loss_diff_lo"], "loss")
    'loss_eur'
    >>> find_money_column(["loss_diff_cny", "loss_diff_lo", "loss_diff_hi"], "loss_diff")
    'loss_diff_cny'
    """
    codes = _codes()
    found = [c for c in columns if isinstance(c, str) and c.startswith(f"{stem}_") and c[len(stem) + 1:] in codes]
    if len(found) != 1:
        raise ValueError(f"expected one money column {stem}_<currency> ({stem}_cny, {stem}_usd, ...); found {found}")
    return found[0]


def money_of_column(column: str, stem: str = "loss") -> MoneyUnit:
    """The currency a money column is named after, as a :class:`MoneyUnit` of amounts in that currency.

    For labels only (``per_unit`` is 1: the column already holds currency units).

    Examples
    --------
    >>> money_of_column("loss_diff_usd", "loss_diff").label()
    'bn USD'
    >>> money_of_column("loss_units").label()
    'bn table units'
    """
    code = column[len(stem) + 1:]
    return MoneyUnit(None, 1.0, "") if code == "units" else MoneyUnit(code.upper(), 1.0, code.upper())
