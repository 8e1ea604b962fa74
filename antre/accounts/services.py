"""Writes of the accounts app: register, verify, sign in, reset a password,
update a profile.

Accounts are Django's own auth (``accounts.User``) with signed tokens; no
third-party account app. Each function is one transaction (STYLE.md rule 2)
and every e-mail is an outbox row in it (rule 5). Password hashing (Argon2,
deliberately slow) happens before the transaction opens: on SQLite the
transaction holds the database's one write lock from its first statement.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence

import phonenumbers
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils.translation import gettext_lazy as _

from antre.accounts import nik as nik_module
from antre.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    InvalidName,
    InvalidPhone,
    InvalidToken,
    NikTaken,
    WeakPassword,
)
from antre.accounts.models import User
from antre.accounts.passwords import (
    check_password_strength,
    password_reset_link,
    user_for_password_reset,
)
from antre.accounts.verification import send_verification_email, verify_email
from antre.core.audit import record_event
from antre.core.errors import DomainError, raise_all
from antre.notifications.services import notify_account

# Usernames are the lower-cased e-mail and Django's username holds 150.
MAX_EMAIL_LENGTH = 150
MAX_NAME_LENGTH = 150

_email_validator = EmailValidator()


def normalise_email(raw: str) -> str:
    """The address as stored: trimmed, domain lower-cased (the local part is
    kept as typed; uniqueness ignores its case). Raises ``InvalidEmail``."""
    email = User.objects.normalize_email(str(raw).strip())
    if not email or len(email) > MAX_EMAIL_LENGTH:
        raise InvalidEmail()
    try:
        _email_validator(email)
    except ValidationError:
        raise InvalidEmail() from None
    return email


def normalise_phone(raw: str) -> str:
    """An Indonesian (or +country) number in E.164, or "" for none. Raises
    ``InvalidPhone``."""
    text = str(raw).strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise InvalidPhone() from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_full_name(raw: str) -> str:
    """Trimmed, inner runs of white space made one space; at least one letter
    (not only spaces, digits or punctuation), at most 150 characters. Raises
    ``InvalidName``."""
    name = " ".join(str(raw).split())
    if not name or len(name) > MAX_NAME_LENGTH or not any(ch.isalpha() for ch in name):
        raise InvalidName()
    if any(not ch.isprintable() for ch in name):
        raise InvalidName()
    return name


def users_with_email(email: str) -> QuerySet[User]:
    """Accounts whose e-mail equals ``email`` ignoring case. Filters on
    ``Lower("email")``, the expression of the unique index, so the index serves it."""
    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=email.lower())


def register_citizen(
    *, email: str, password: str, full_name: str, nik: str, phone: str = ""
) -> User:
    """Create an unverified citizen account and queue its verification e-mail.

    Validates and normalises every field and reports every problem at once
    (``DomainError.problems``, first to last): ``InvalidEmail``,
    ``InvalidName``, ``InvalidNik``, ``InvalidPhone``, ``WeakPassword``
    (422), then ``EmailTaken`` (case-insensitive) and ``NikTaken`` (409). The
    exception raised is the first of them, so a caller answering with one
    problem (the API) answers as it always did: a 422 before a 409, the
    e-mail before the NIK. Both uniqueness rules are also database
    constraints; a concurrent registration that wins the race is reported
    with the same errors.

    ``email_taken`` tells a caller that an address has an account (API.md
    allows it). We accept that: the NIK is needed anyway, the message is what
    any registration form says, and enumeration is to be bounded by rate
    limits on ``POST /auth/register`` (a later issue).

    The username is the lower-cased e-mail. The NIK is stored in full (for its
    owner and the staff who need it), as a keyed digest (uniqueness, lookups)
    and masked (display); it is never written to the audit log.
    """
    user, problems = _new_citizen(
        email=email, password=password, full_name=full_name, nik=nik, phone=phone
    )
    if problems:
        # Taken or not is worth knowing in the same round; an unlocked read
        # is enough for a refusal (the insert below re-checks under the lock).
        raise_all(problems + _taken(user, problems))
    user.password = make_password(password)
    try:
        with transaction.atomic():
            _check_unique(user)
            user.save(force_insert=True)
            record_event(action="account.registered", actor=user, target=user)
            send_verification_email(user=user)
    except IntegrityError as error:
        # Another registration committed the same e-mail or NIK between our
        # check and our insert (PostgreSQL; SQLite's IMMEDIATE transactions
        # serialise the check with the insert). The transaction is over, so
        # the winner is visible now.
        raise _uniqueness_error(user, error) from error
    return user


def check_registration(
    *, email: str, password: str, full_name: str, nik: str, phone: str = ""
) -> None:
    """Raise what ``register_citizen`` would raise for these values, and
    write nothing: for a registration form whose own checks failed (a field
    left empty, two passwords that differ), so that the citizen learns in one
    round everything there is to correct. Returns when nothing is wrong."""
    user, problems = _new_citizen(
        email=email, password=password, full_name=full_name, nik=nik, phone=phone
    )
    raise_all(problems + _taken(user, problems))


def _new_citizen(
    *, email: str, password: str, full_name: str, nik: str, phone: str
) -> tuple[User, list[DomainError]]:
    """The unsaved account these values make (no password set), and every
    problem with them, in the order of ``register_citizen``'s docstring. A
    field that is not valid keeps the value as typed, so that the password
    is still compared with the name and e-mail the citizen gave."""
    problems: list[DomainError] = []

    def normalised(normalise: Callable[[str], str], raw: str) -> str | None:
        try:
            return normalise(raw)
        except DomainError as problem:
            problems.append(problem)
            return None

    valid_email = normalised(normalise_email, email)
    valid_name = normalised(normalise_full_name, full_name)
    valid_nik = normalised(nik_module.validate, nik)
    valid_phone = normalised(normalise_phone, phone)
    typed_email = valid_email or str(email).strip()
    user = User(
        username=typed_email.lower(),
        email=typed_email,
        full_name=valid_name or " ".join(str(full_name).split()),
        nik=valid_nik or "",
        nik_digest=nik_module.digest(valid_nik) if valid_nik else None,
        nik_masked=nik_module.mask(valid_nik) if valid_nik else "",
        phone=valid_phone or "",
    )
    try:
        check_password_strength(password, user=user)
    except WeakPassword as problem:
        problems.append(problem)
    return user, problems


def _taken(user: User, problems: Sequence[DomainError] = ()) -> list[DomainError]:
    """``EmailTaken`` and ``NikTaken`` for the account's e-mail and NIK if
    another account has them; a value in ``problems`` (not valid) is not looked up."""
    taken: list[DomainError] = []
    if not any(isinstance(problem, InvalidEmail) for problem in problems) and (
        users_with_email(user.email).exists()
        or User.objects.filter(username=user.username).exists()
    ):
        taken.append(EmailTaken())
    if user.nik_digest and User.objects.filter(nik_digest=user.nik_digest).exists():
        taken.append(NikTaken())
    return taken


def _check_unique(user: User) -> None:
    raise_all(_taken(user))


def _uniqueness_error(user: User, error: IntegrityError) -> DomainError:
    try:
        _check_unique(user)
    except DomainError as taken:
        return taken
    # The winner is gone again (deleted since): name the constraint instead.
    return NikTaken() if "nik_digest" in str(error) else EmailTaken()


def authenticate_citizen(*, email: str, password: str) -> User:
    """The citizen account with this e-mail (any case) and password, for
    ``POST /auth/token``. Raises ``InvalidCredentials`` for an unknown
    address, a wrong password, an inactive account or a staff/device account
    (those get tokens from the back office, API.md), all alike.

    Reads only (apart from Django upgrading an outdated password hash); it
    does not touch ``last_login``: whoever logs the user in records that.
    An unverified e-mail may sign in; booking refuses it (``email_not_verified``).
    """
    user = users_with_email(email.strip()).first() if email.strip() else None
    if user is None:
        # Hash anyway, so that an unknown address takes as long as a wrong
        # password (Django's ModelBackend does the same).
        make_password(password)
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active or not user.is_citizen:
        raise InvalidCredentials()
    return user


def update_profile(*, user: User, full_name: str, phone: str) -> User:
    """Change the citizen's name and phone (e-mail and NIK are not changed
    here). Raises ``InvalidName``, ``InvalidPhone``. Audited with the names of
    the fields that changed, not their values."""
    full_name = normalise_full_name(full_name)
    phone = normalise_phone(phone)
    changed = [
        field
        for field, value in (("full_name", full_name), ("phone", phone))
        if str(getattr(user, field) or "") != value
    ]
    if not changed:
        return user
    user.full_name = full_name
    user.phone = phone
    with transaction.atomic():
        user.save(update_fields=changed)
        record_event(
            action="account.profile_updated", actor=user, target=user, data={"fields": changed}
        )
    return user


def request_password_reset(*, email: str) -> None:
    """Queue a password-reset link to ``email`` if an active account with a
    usable password has it; otherwise do nothing. Neutral for any well-formed
    address: the caller learns nothing about whether it has an account (say
    the same thing in both cases). Raises ``InvalidEmail`` for an address
    that is not one (empty, too long, no ``@``...): that says nothing about
    accounts, and tells a citizen who mistyped it before they wait for an
    e-mail that cannot come. Rate limits bound how often one may ask.
    """
    address = normalise_email(email)
    user = users_with_email(address).filter(is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    with transaction.atomic():
        notify_account(user=user, event="password_reset", link=password_reset_link(user))
        record_event(action="account.password_reset_requested", actor=user, target=user)


def reset_password(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password through a reset link. Raises ``InvalidToken``
    (tampered, older than ``PASSWORD_RESET_TIMEOUT``, already used) or
    ``WeakPassword``.

    Single use: the token covers the current password hash, and the new hash
    is written with an UPDATE guarded on the old one, so of two requests with
    the same link only one sets a password. Changing the hash also ends the
    account's sessions (Django checks the session's hash on every request).
    """
    user = user_for_password_reset(uidb64=uidb64, token=token)
    check_password_strength(new_password, user=user)
    old_hash = user.password
    new_hash = make_password(new_password)
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, password=old_hash, is_active=True).update(
            password=new_hash
        )
        if not changed:
            raise InvalidToken()
        user.password = new_hash
        record_event(action="account.password_reset", actor=user, target=user)
    password_validation.password_changed(new_password, user=user)
    return user


def delete_account(*, user: User, password: str) -> User:
    """Delete a citizen's account at their request (UU PDP 27/2022: the right
    to erasure), keeping what the city counts.

    Raises ``InvalidCredentials`` unless ``password`` is the account's: a
    session left open on a shared computer must not be enough. Then, in one
    transaction:

    * future confirmed bookings are cancelled through
      ``antre.booking.services.cancel_booking``, so each seat goes to the
      waiting list as any cancellation's would; one past its cancellation
      cut-off stays (its seat is no longer worth offering) and is released as
      a no-show like any other;
    * open waiting-list entries are withdrawn (an open offer moves on);
    * the confirmation e-mail is queued in the outbox while the address is
      still known (the outbox row keeps it until delivered);
    * the account is anonymised in place: no e-mail, name, phone, NIK,
      digest or mask; an unusable password; inactive; API tokens and
      stored idempotent API answers deleted.
      Bookings and tickets stay linked to this row, so statistics still count
      them, and the e-mail and NIK are free for a new registration;
    * the audit log's label for this person becomes the anonymous username,
      and delivered e-mails to the address lose recipient and content.

    Hashing the password check happens before the transaction (see the module
    docstring). Returns the anonymised user.
    """
    from antre.booking.errors import NotCancellable
    from antre.booking.models import Booking, BookingStatus
    from antre.booking.services import cancel_booking, lock_citizen
    from antre.core import clock
    from antre.core.models import AuditEvent, IdempotencyRecord
    from antre.notifications.models import OutboxMessage, OutboxStatus
    from antre.waitlist.errors import RequestWindowClosed
    from antre.waitlist.models import ReleaseOutcome, ReleaseRequest, WaitlistEntry, WaitlistStatus
    from antre.waitlist.release import withdraw_request
    from antre.waitlist.services import withdraw_entry

    if not user.is_active or not user.is_citizen or not user.check_password(password):
        raise InvalidCredentials(_("Kata sandi salah."))
    email = user.email
    with transaction.atomic():
        # The same lock a booking takes: no booking slips in while we cancel.
        lock_citizen(user)
        # A second request for the same deletion (a double click) waited for
        # the lock; under it, the account it checked may be gone or changed.
        if not User.objects.filter(
            pk=user.pk, is_active=True, nik_digest__isnull=False, password=user.password
        ).exists():
            raise InvalidCredentials(_("Kata sandi salah."))
        cancelled = kept = 0
        for booking in (
            Booking.objects.filter(
                citizen=user, status=BookingStatus.CONFIRMED, slot__start__gt=clock.now()
            )
            .select_related("slot", "service")
            .order_by("pk")
        ):
            try:
                cancel_booking(booking=booking, actor=user)
            except NotCancellable:
                kept += 1
            else:
                cancelled += 1
        withdrawn = 0
        for entry in WaitlistEntry.objects.filter(
            citizen=user, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).select_related("service"):
            withdraw_entry(entry=entry, actor=user)
            withdrawn += 1
        for pending in ReleaseRequest.objects.filter(
            citizen=user, outcome=ReleaseOutcome.PENDING
        ).order_by("pk"):
            # One being drawn stays: an anonymised account cannot be booked,
            # so the draw passes it over.
            with contextlib.suppress(RequestWindowClosed):
                withdraw_request(request=pending, citizen=user)
        # The NIK's HMAC goes as well; a stand-in unique per row keeps the
        # one-request-per-NIK index satisfied for the requests that stay.
        ReleaseRequest.objects.filter(citizen=user).update(
            nik_digest=Concat(Value("deleted-"), Cast("pk", output_field=CharField()))
        )
        if email:
            notify_account(user=user, event="account_deleted")
        record_event(
            action="account.deleted",
            actor=user,
            target=user,
            data={
                "bookings_cancelled": cancelled,
                "bookings_kept": kept,
                "waitlist_withdrawn": withdrawn,
            },
        )
        anonymous = f"terhapus-{user.pk}"
        user.username = anonymous
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.full_name = ""
        user.phone = ""
        user.nik = ""
        user.nik_digest = None
        user.nik_masked = ""
        user.email_verified_at = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.api_tokens.all().delete()
        # Stored API answers (24 h) may repeat what the account held: its
        # own, and the anonymous registration's that created it.
        IdempotencyRecord.objects.filter(user=user).delete()
        IdempotencyRecord.objects.filter(
            pk__in=[
                record.pk
                for record in IdempotencyRecord.objects.filter(
                    user=None, path=REGISTER_API_PATH, status_code=201
                ).only("pk", "body")
                if _registered_id(bytes(record.body)) == user.pk
            ]
        ).delete()
        AuditEvent.objects.filter(actor=user).update(actor_label=anonymous)
        if email:
            # Messages still to go (this confirmation, the cancellations) keep
            # the address until delivered; what was delivered needs it no more.
            OutboxMessage.objects.filter(
                recipient__iexact=email, status__in=[OutboxStatus.SENT, OutboxStatus.FAILED]
            ).update(
                recipient="", subject="", body_text="", body_html="", attachments=[], context={}
            )
    return user


__all__ = [
    "authenticate_citizen",
    "check_registration",
    "delete_account",
    "normalise_email",
    "normalise_full_name",
    "normalise_phone",
    "register_citizen",
    "request_password_reset",
    "reset_password",
    "send_verification_email",
    "update_profile",
    "users_with_email",
    "verify_email",
]


# The API's registration (antre.api.accounts), whose anonymous answers are kept
# for their Idempotency-Key: {"id": ..., "email": ..., "email_verified": ...}.
REGISTER_API_PATH = "/api/v1/auth/register"


def _registered_id(body: bytes) -> object:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer.get("id") if isinstance(answer, dict) else None
