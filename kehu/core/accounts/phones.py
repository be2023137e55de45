"""Phone numbers of users, stored in E.164 (+8613812345678)."""

from __future__ import annotations

import phonenumbers


def normalize_login_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of `raw`, or "" when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
