"""Citizen accounts: register, verify the e-mail address, get a token, the profile.

Thin: parse, call one accounts service, render (STYLE.md rule 1). The services
raise the contract's problem codes themselves (``antre.accounts.errors``).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from antre.accounts.errors import InvalidCredentials
from antre.accounts.models import User
from antre.accounts.services import (
    REGISTER_API_PATH,
    authenticate_citizen,
    register_citizen,
    verify_email,
)
from antre.accounts.tokens import create_api_token
from antre.api import idempotency
from antre.api.auth import bearer_auth
from antre.api.problems import problems
from antre.api.ratelimit import CHALLENGE_HEADER, challenge_required, limit_operation, payload_field
from antre.api.schemas.accounts import (
    ProfileOut,
    RegisteredOut,
    RegisterIn,
    TokenIn,
    TokenOut,
    VerifiedOut,
    VerifyIn,
)
from antre.core import challenge, clock, ratelimits

router = Router(tags=["Accounts"])

# How long a token from POST /auth/token works; then the app signs in again.
CITIZEN_TOKEN_LIFETIME = dt.timedelta(days=30)
CITIZEN_TOKEN_NAME = "POST /auth/token"  # noqa: S105 (the token's label, not a secret)

RATE_LIMITED_REGISTER = f"""\
**Limits**: 429 `rate_limited` (with `Retry-After`) after too many registrations from one
address; an integrator token with its own quota counts against that quota instead. With
`ANTRE_API_CHALLENGE` on, a solved challenge (`GET /auth/challenge`) must come in the
`{CHALLENGE_HEADER}` header (422 `challenge_failed` without one), except from an integrator
token; off by default."""
# Keys are per authenticated caller (antre.api.idempotency): a citizen
# registering has no token yet; an integrator registering on their behalf has one.
REGISTER_REPLAY = (
    "The same `Idempotency-Key` with the same body within 24 h answers with the first "
    "response and registers nothing again, with or without a bearer token: a retry after a "
    "lost answer gets the 201, not 409 `email_taken`. Without a token the key is shared by "
    "every anonymous caller, so make it random (a UUID); the same key with another body is "
    "422 `idempotency_key_reused`."
)
SIGN_IN_LIMITS = """\
**Limits**: 429 `rate_limited` (with `Retry-After`) after too many refused sign-ins for one
e-mail address, or from one address (an integrator token with its own quota counts against
that quota instead of the address)."""


@router.post(
    "/register",
    response={201: RegisteredOut, **problems(409, 422, 429)},
    summary="Register a citizen account",
    description=(
        "Creates an unverified citizen account and sends a verification e-mail whose link "
        "carries the token for `POST /auth/verify`; booking needs a verified address.\n\n"
        "Errors: 422 `invalid_email`, `invalid_name`, `invalid_nik`, `invalid_phone`, "
        "`weak_password` (or `invalid_input` for a missing field); 409 `email_taken` when the "
        "address already has an account (any case), 409 `nik_taken` when the NIK has one.\n\n"
        "**Enumeration**: we answer 409 `email_taken` rather than a neutral 201, as every "
        "registration form does; the NIK is needed anyway, and rate limits bound probing.\n\n"
        "**Retries**: " + REGISTER_REPLAY + "\n\n" + RATE_LIMITED_REGISTER
    ),
    operation_id="register_citizen",
    openapi_extra=idempotency.openapi_header(
        replayed="registers nothing again", note=REGISTER_REPLAY
    ),
)
@limit_operation(ratelimits.REGISTER_IP)
@challenge_required
def register(request: HttpRequest, payload: RegisterIn) -> Status[RegisteredOut]:
    user = register_citizen(
        email=payload.email,
        password=payload.password,
        full_name=payload.full_name,
        nik=payload.nik,
        phone=payload.phone or "",
    )
    return Status(
        201, RegisteredOut(id=user.pk, email=user.email, email_verified=user.email_verified)
    )


# Its answer holds nothing the request's body does not (the e-mail address)
# but the new account's id: kept for anonymous retries too (and deleted with
# the account, antre.accounts.services.delete_account).
idempotency.answers_anonymous("POST", REGISTER_API_PATH)


@router.post(
    "/verify",
    response={200: VerifiedOut, **problems(422)},
    summary="Verify the e-mail address",
    description=(
        "Takes the token of the link in the verification e-mail (valid three days). "
        "Idempotent: an address already verified answers 200 again. 422 `invalid_token` for "
        "a tampered or expired token, or one issued for an address the account no longer has."
    ),
    operation_id="verify_email",
)
def verify(request: HttpRequest, payload: VerifyIn) -> VerifiedOut:
    user = verify_email(token=payload.token)
    return VerifiedOut(email_verified=user.email_verified)


@router.post(
    "/token",
    response={200: TokenOut, **problems(401, 422, 429)},
    summary="Get a bearer token for a citizen",
    description=(
        "Signs a citizen in with e-mail (any case) and password and returns a new bearer "
        "token, valid 30 days. 401 `invalid_credentials` for an unknown address, a wrong "
        "password, an inactive account or a staff or device account (those get tokens in the "
        "back office), all alike. An unverified address may sign in; booking answers 422 "
        "`email_not_verified` until it is verified.\n\n" + SIGN_IN_LIMITS
    ),
    operation_id="create_citizen_token",
)
@limit_operation(
    ratelimits.LOGIN_IP,
    ratelimits.LOGIN_ACCOUNT,
    account=payload_field("email"),
    failures=(InvalidCredentials,),
)
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = authenticate_citizen(email=payload.email, password=payload.password)
    expires = clock.now() + CITIZEN_TOKEN_LIFETIME
    _token, raw = create_api_token(user=user, name=CITIZEN_TOKEN_NAME, expires_at=expires)
    # A token belongs to no site: the city's zone (settings.TIME_ZONE) gives its offset.
    return TokenOut(token=raw, expires=timezone.localtime(expires, timezone.get_default_timezone()))


@router.get(
    "/me",
    auth=bearer_auth,
    response={200: ProfileOut, **problems(401, 422)},
    summary="The caller's profile",
    description="Who the token belongs to. The NIK is only shown masked.",
    operation_id="get_profile",
)
def me(request: HttpRequest) -> ProfileOut:
    user: User = request.auth  # type: ignore[attr-defined]
    return ProfileOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        email_verified=user.email_verified,
        nik_masked=user.nik_masked or None,
        phone=user.phone.as_e164 if user.phone else None,
    )


class ChallengeOut(Schema):
    algorithm: str = Field(..., examples=["SHA-256"])
    challenge: str
    maxnumber: int
    salt: str
    signature: str


@router.get(
    "/challenge",
    response={200: ChallengeOut, **problems(422)},
    summary="Get a proof-of-work challenge",
    description=(
        "An ALTCHA challenge (https://altcha.org): find `number` such that "
        "SHA-256(salt + number) equals `challenge`, then send "
        "base64(JSON {algorithm, challenge, number, salt, signature}) in the "
        f"`{CHALLENGE_HEADER}` header. Needed only when the server runs with "
        "`ANTRE_API_CHALLENGE` on (for `POST /auth/register` and `POST /bookings`); "
        "each challenge is accepted once and expires."
    ),
    operation_id="get_challenge",
)
def get_challenge(request: HttpRequest) -> ChallengeOut:
    return ChallengeOut(**challenge.issue_challenge())
