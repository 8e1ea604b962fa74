"""Citizen accounts: registration, e-mail verification, tokens, the profile."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field
from pydantic.config import JsonDict

# Shown as a password field by Swagger UI; never echoed back.
_PASSWORD: JsonDict = {"format": "password"}


class RegisterIn(Schema):
    email: str = Field(..., examples=["siti@contoh.id"])
    password: str = Field(
        ...,
        description=(
            "At least 8 characters; not a common or all-digit password, "
            "nor one like the e-mail or the name."
        ),
        json_schema_extra=_PASSWORD,
    )
    full_name: str = Field(..., examples=["Siti Rahmawati"])
    nik: str = Field(
        ...,
        description="The 16-digit Nomor Induk Kependudukan (NIK) of the citizen's KTP-el.",
        examples=["3275014101900001"],
    )
    phone: str | None = Field(
        None,
        description="An Indonesian mobile number; stored as E.164.",
        examples=["0812 3456 7890"],
    )


class RegisteredOut(Schema):
    id: int
    email: str
    email_verified: bool = Field(
        ..., description="Always false here: the verification link is on its way."
    )


class VerifyIn(Schema):
    token: str = Field(..., description="The token of the link in the verification e-mail.")


class VerifiedOut(Schema):
    email_verified: bool


class TokenIn(Schema):
    email: str = Field(..., examples=["siti@contoh.id"])
    password: str = Field(..., json_schema_extra=_PASSWORD)


class TokenOut(Schema):
    token: str = Field(
        ..., description="Send as `Authorization: Bearer <token>`. Shown once; keep it secret."
    )
    expires: dt.datetime = Field(
        ...,
        description="When the token stops working: ISO 8601 with the offset of the city's time "
        "zone (Asia/Jakarta).",
        examples=["2026-07-02T09:05:00+07:00"],
    )


class ProfileOut(Schema):
    id: int
    email: str
    full_name: str
    email_verified: bool
    nik_masked: str | None = Field(
        ...,
        description="The NIK with its middle hidden; null for staff and device accounts. "
        "The full NIK never leaves the server through the API.",
        examples=["327501********01"],
    )
    phone: str | None = Field(..., description="E.164, or null.", examples=["+6281234567890"])
