"""Bearer tokens: HS256 JWTs carrying the caller's id (`sub`) and role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Request

from server.errors import ApiError

ROLES = ("client", "agent", "advisor", "admin")
_ALGORITHM = "HS256"
_AUDIENCE = "anxin"


@dataclass(frozen=True)
class Principal:
    id: str
    role: str

    @property
    def is_client(self) -> bool:
        return self.role == "client"


def issue_token(secret: str, subject: str, role: str, ttl_minutes: int) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "role": role,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=ttl_minutes),
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            options={"require": ["sub", "exp", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise ApiError(401, "token_expired", "The token has expired.", _challenge()) from exc
    except jwt.PyJWTError as exc:
        raise ApiError(401, "invalid_token", "The token is not valid.", _challenge()) from exc
    role, subject = claims.get("role"), claims.get("sub")
    if role not in ROLES or not isinstance(subject, str) or not 0 < len(subject) <= 64:
        raise ApiError(401, "invalid_token", "The token is not valid.", _challenge())
    return Principal(subject, role)


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": "Bearer"}


def principal_from_request(request: Request) -> Principal:
    """FastAPI dependency: the caller, from the `Authorization: Bearer` header."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "missing_token", "Send 'Authorization: Bearer <token>'.", _challenge())
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "invalid_token", "Send 'Authorization: Bearer <token>'.", _challenge())
    return verify_token(request.app.state.services.secret, token.strip())
