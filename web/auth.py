"""The admin token ($TRO_LY_ADMIN_TOKEN), as the admin routes take it.

Scripts send it as ``Authorization: Bearer <token>``. A cadre's browser sends it as the password
of HTTP Basic (any user name): the report page answers 401 with a ``Basic`` challenge, the
browser asks once and then sends it with every request under /admin/ — the page, its filters
and its CSV export work with no script and no stored token, and ``curl -u x:TOKEN`` works too.

Basic is accepted on the report's read-only GET routes only. A browser sends cached Basic
credentials with any request to the site, a forged cross-site form included, so the routes
that change something (upload, delete, rebuild: routes/admin.py) keep to Bearer, which a
browser never adds by itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable

from fastapi import HTTPException, Request

MSG_UNAUTHORIZED = "Thiếu hoặc sai mã quản trị."
BEARER_CHALLENGE = "Bearer"
# ASCII: a header's value is Latin-1. charset tells the browser the password is UTF-8.
BASIC_CHALLENGE = 'Basic realm="Tro ly Giam ngheo - quan tri", charset="UTF-8"'


def presented_token(authorization: str, *, basic: bool) -> str | None:
    """The token in an Authorization header: Bearer's value, or with ``basic`` the password
    of Basic credentials. None when there is none (or it cannot be read)."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if basic and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, colon, password = decoded.partition(":")
        return password if colon else None
    return None


def token_matches(authorization: str, token: str, *, basic: bool) -> bool:
    given = presented_token(authorization, basic=basic)
    # compared in constant time, so the answer's timing says nothing about the token
    return given is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def is_admin(request: Request, token: str, *, basic: bool) -> bool:
    return token_matches(request.headers.get("authorization", ""), token, basic=basic)


def require_admin(token: str, *, basic: bool = False) -> Callable[[Request], None]:
    """A dependency: 401 with ``WWW-Authenticate: Bearer`` unless the request carries the token."""

    def dependency(request: Request) -> None:
        if not is_admin(request, token, basic=basic):
            raise HTTPException(401, MSG_UNAUTHORIZED, headers={"WWW-Authenticate": BEARER_CHALLENGE})

    return dependency
