"""An SMS's text as the network carries it: its alphabet, its segments, the number it goes to.

Vietnamese with diacritics does not fit GSM-7 (3GPP TS 23.038), so it travels as UCS-2: 70
characters in one segment, 67 in each of several (the rest holds the concatenation header).
Without diacritics it is GSM-7: 160, or 153 each. An operator bills each segment.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from softbridge.text import fold

# GSM 03.38's default alphabet, and its extension table (each costs two septets).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")

GSM7 = 0  # Kannel's coding=0
UCS2 = 2  # Kannel's coding=2


@dataclass(frozen=True)
class Encoded:
    text: str
    coding: int  # GSM7 or UCS2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def segments_of(text: str) -> tuple[int, int]:
    """(coding, segments) of the text as it is: GSM-7 when every character is in its alphabet."""
    if is_gsm7(text):
        septets = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        return GSM7, 1 if septets <= 160 else math.ceil(septets / 153)
    # UTF-16 code units: a character beyond the BMP takes two.
    units = len(text.encode("utf-16-le")) // 2
    return UCS2, 1 if units <= 70 else math.ceil(units / 67)


def without_diacritics(text: str) -> str:
    """The text with its letters' marks dropped (softbridge.text.fold, letter by letter so that
    capitals and spaces stay): "Nhà văn hóa" -> "Nha van hoa"."""
    out = []
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            bare = fold(ch) or ch
            out.append(bare.upper() if ch.isupper() else bare)
        else:
            out.append(ch)
    return "".join(out)


def encoded(text: str, *, plain: bool) -> Encoded:
    """The text as it will be sent: without diacritics when the commune chose it (`plain`)."""
    if plain:
        text = without_diacritics(text)
    coding, segments = segments_of(text)
    return Encoded(text=text, coding=coding, segments=segments)


_NOT_DIGIT = re.compile(r"[^0-9]")


def phone_key(phone: str) -> str:
    """A Vietnamese mobile number in its national form, 0 and nine digits: "+84 912 345 678",
    "84912345678" and "0912345678" are one number. Empty when it is not a number at all."""
    digits = _NOT_DIGIT.sub("", phone or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    return digits if len(digits) == 10 and digits.startswith("0") else ""


def international(phone: str) -> str:
    """The number as the operator takes it (E.164 without the plus): 0912345678 -> 84912345678."""
    return "84" + phone[1:]


# The one reply that withdraws consent, however it is typed: "huy", "Hủy", " HUỶ ".
def is_opt_out(text: str) -> bool:
    words = fold(text).split()
    return bool(words) and words[0] in {"huy", "huy."}
