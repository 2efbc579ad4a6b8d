"""Make valid identity numbers independently of forms.fields (weights derived, not copied)."""

from __future__ import annotations

# GB 11643 weights are 2^(17-i) mod 11; derive them here rather than copying the module's table.
ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
# GB 32100-2015 weights are 3^i mod 31.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def make_id_card(first17: str) -> str:
    """Append the GB 11643 check character to 17 digits."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True)) % 11
    check = (12 - remainder) % 11
    return first17 + ("X" if check == 10 else str(check))


def make_uscc(first17: str) -> str:
    """Append the GB 32100-2015 check character to 17 characters."""
    total = sum(USCC_CHARS.index(char) * w for char, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]
