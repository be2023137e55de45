"""Log in with an email address or a mobile phone number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from kehu.core.accounts.models import User
from kehu.core.accounts.phones import normalize_login_phone


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        username = username.strip()
        if "@" in username:
            user = User.objects.filter(email__iexact=username).first()
        else:
            phone = normalize_login_phone(username)
            user = User.objects.filter(phone=phone).first() if phone else None
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        user = User.objects.filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None


def lockout_username(request, credentials) -> str:
    """The login as the lockout counts it (AXES_USERNAME_CALLABLE): the same account however it
    is typed, or every case and spacing of an email (every format of a phone number) would get
    its own five attempts."""
    data = credentials if credentials else getattr(request, "POST", {})
    raw = str((data or {}).get("username") or "").strip()
    if "@" in raw:
        return raw.lower()
    return normalize_login_phone(raw) or raw.lower()
