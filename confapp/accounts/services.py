"""Accounts: sign-up, authentication, password reset, roles and invitations."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record
from ..errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from ..extensions import db
from ..i18n import current_language, in_language, supported
from ..mail import queue_email
from ..types import utcnow
from ..urls import external_url
from . import permissions
from .models import EventRole, Role, RoleInvitation, User

MIN_PASSWORD_LENGTH = 10
# Computed once so that a login for an unknown email costs as much as a real one.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _hash_password(password: str) -> str:
    # Tests use cheaper scrypt parameters (TestConfig); verification reads them from the hash.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": gettext("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)})


def create_user(email: str, name: str, password: str, *, is_site_admin: bool = False, now: datetime | None = None) -> User:
    """Create an account. Raises Conflict if the email is taken, ValidationFailed for a weak password."""
    email = normalise_email(email)
    _check_password_strength(password)
    if find_user_by_email(email):
        raise Conflict(gettext("An account with that email already exists. Log in or reset your password."))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=_hash_password(password),
        is_site_admin=is_site_admin,
        created_at=now or utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


# --- sign-up by emailed link -------------------------------------------------------------------
# The sign-up form answers the same page whether or not the address has an account (no account
# enumeration): a new address gets a link to choose a password and finish, an existing one gets a
# note to its owner. The link carries what was typed, signed; nothing is stored until it is opened.

def _signup_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-up")


def request_sign_up(email: str, name: str, *, next_path: str = "") -> None:
    """Email a link that finishes the sign-up, or, if the address already has an account, tell its
    owner that someone tried. Says nothing to the visitor either way."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        queue_email(existing.email, gettext("Someone tried to create a confapp account with your address"), "signup_existing",
                    user=existing, login_link=external_url("accounts.login"),
                    reset_link=external_url("accounts.password_reset_request"))
        return
    token = _signup_serializer().dumps({"e": email, "n": name.strip(), "next": next_path})
    queue_email(email, gettext("Finish creating your confapp account"), "signup_confirm", name=name.strip(),
                link=external_url("accounts.signup_finish", token=token))


def sign_up_from_token(token: str) -> dict | None:
    """What the sign-up link carries ({"e": email, "n": name, "next": path}), or None when it is
    forged, expired, or the address has an account by now (the link was used)."""
    try:
        data = _signup_serializer().loads(token, max_age=current_app.config.get("SIGNUP_MAX_AGE", 60 * 60 * 24 * 2))
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not data.get("e") or find_user_by_email(data["e"]) is not None:
        return None
    return data


def finish_sign_up(token: str, password: str, *, now: datetime | None = None) -> User:
    """Create the account the emailed link describes. Raises InvalidState when the link no longer
    works, ValidationFailed for a weak password."""
    data = sign_up_from_token(token)
    if data is None:
        raise InvalidState(gettext("This link has expired or was already used. Log in, or sign up again."))
    return create_user(data["e"], data["n"], password, now=now)


def authenticate(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The user for these credentials, or None. Timing does not reveal whether the email exists."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    user.last_login_at = now or utcnow()
    return user


def set_password(user: User, password: str) -> None:
    _check_password_strength(password)
    user.password_hash = _hash_password(password)


# --- password reset -------------------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_password_reset_token(user: User) -> str:
    # The hash fragment makes the token single-use: it stops verifying once the password changes.
    return _reset_serializer().dumps({"uid": user.id, "ph": user.password_hash[-16:]})


def user_from_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_hash[-16:] != data.get("ph"):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account enumeration)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("accounts.password_reset", token=make_password_reset_token(user))
    queue_email(user.email, gettext("Reset your confapp password"), "password_reset", user=user, link=link)


def reset_password(token: str, password: str) -> User:
    user = user_from_reset_token(token)
    if user is None:
        raise InvalidState(gettext("This reset link has expired or was already used. Ask for a new one."))
    set_password(user, password)
    return user


# --- roles -----------------------------------------------------------------------------------

def grant_role(event, user: User, role: Role, *, actor, now: datetime | None = None) -> EventRole:
    """Give `user` a role on `event` directly (replacing any other role there).

    Only site administrators grant without the person's consent; organisers invite
    (`invite_to_role`). Demoting the last organiser raises InvalidState. Raises NotAllowed.
    """
    if not getattr(actor, "is_site_admin", False):
        raise NotAllowed(gettext("Only site administrators can grant roles directly. Invite your colleague instead."))
    existing = db.session.scalar(select(EventRole).where(EventRole.user_id == user.id, EventRole.event_id == event.id))
    if existing:
        if existing.role == Role.ORGANISER and role != Role.ORGANISER:
            _keep_an_organiser(event)
        existing.role = role
        grant = existing
    else:
        grant = EventRole(user=user, event=event, role=role, granted_at=now or utcnow(), granted_by_id=getattr(actor, "id", None))
        db.session.add(grant)
    db.session.flush()
    record("role.granted", actor=actor, event=event, target=user, details={"role": role.value}, now=now)
    return grant


def _keep_an_organiser(event) -> None:
    """Raise unless the event has another organiser besides the one about to go."""
    organisers = db.session.scalar(
        select(func.count()).select_from(EventRole).where(EventRole.event_id == event.id, EventRole.role == Role.ORGANISER)
    )
    if organisers <= 1:
        raise InvalidState(gettext("An event needs at least one organiser. Add another before removing this one."))


def revoke_role(event, user: User, *, actor, now: datetime | None = None) -> None:
    """Remove a user's role. An event always keeps at least one organiser."""
    permissions.require(actor, permissions.Action.MANAGE_ROLES, event)
    grant = db.session.scalar(select(EventRole).where(EventRole.user_id == user.id, EventRole.event_id == event.id))
    if grant is None:
        return
    if grant.role == Role.ORGANISER:
        _keep_an_organiser(event)
    db.session.delete(grant)
    db.session.flush()
    record("role.revoked", actor=actor, event=event, target=user, details={"role": grant.role.value}, now=now)


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="role-invitation")


def invite_to_role(event, email: str, role: Role, *, actor, now: datetime | None = None) -> RoleInvitation:
    """Email a signed link that grants `role` on `event` to the holder of `email` once they accept it
    logged in with an account for that address."""
    permissions.require(actor, permissions.Action.MANAGE_ROLES, event)
    email = normalise_email(email)
    invitation = RoleInvitation(event=event, email=email, role=role, invited_by_id=actor.id, created_at=now or utcnow())
    db.session.add(invitation)
    db.session.flush()
    token = _invitation_serializer().dumps({"iid": invitation.id})
    link = external_url("accounts.invitation_accept", token=token)
    # In the language the invitee chose for their account, if they have one; else the organiser's.
    invitee = find_user_by_email(email)
    language = supported(getattr(invitee, "locale", None)) or current_language()
    with in_language(language):
        queue_email(
            email,
            gettext("You are invited to help run %(event)s", event=event.local_title),
            "role_invitation",
            event=event,
            role=role,
            inviter=actor,
            link=link,
            reply_to=actor.email,
        )
    record("role.invited", actor=actor, event=event, target=invitation, details={"role": role.value}, now=now)
    return invitation


def invitation_from_token(token: str) -> RoleInvitation:
    try:
        data = _invitation_serializer().loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired:
        raise InvalidState(gettext("This invitation has expired. Ask the organiser to invite you again."))
    except BadSignature:
        raise NotAllowed(gettext("This invitation link is not valid."))
    invitation = db.session.get(RoleInvitation, data.get("iid"))
    if invitation is None or invitation.revoked_at is not None:
        raise InvalidState(gettext("This invitation was withdrawn."))
    return invitation


def check_invitee(invitation: RoleInvitation, user: User) -> None:
    """Raise NotAllowed unless `user` holds the address the invitation was sent to: the link alone
    (forwarded, or opened on a shared computer) grants nothing."""
    if normalise_email(user.email) != normalise_email(invitation.email):
        raise NotAllowed(gettext(
            "This invitation was sent to another email address than the one of the account you are logged in "
            "with (%(email)s). Log out, then log in or create an account with the invited address.", email=user.email))


def accept_invitation(invitation: RoleInvitation, user: User, *, now: datetime | None = None) -> EventRole:
    """Grant the invited role to the logged-in user, who must hold the invited address (NotAllowed
    otherwise). Each invitation is used once (InvalidState)."""
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.id:
            return db.session.scalar(
                select(EventRole).where(EventRole.user_id == user.id, EventRole.event_id == invitation.event_id)
            )
        raise InvalidState(gettext("This invitation has already been used."))
    check_invitee(invitation, user)
    existing = db.session.scalar(
        select(EventRole).where(EventRole.user_id == user.id, EventRole.event_id == invitation.event_id)
    )
    if existing:
        # Never downgrade an organiser who follows a staff invitation.
        if not (existing.role == Role.ORGANISER and invitation.role != Role.ORGANISER):
            existing.role = invitation.role
        grant = existing
    else:
        grant = EventRole(user=user, event_id=invitation.event_id, role=invitation.role, granted_at=now or utcnow(), granted_by_id=invitation.invited_by_id)
        db.session.add(grant)
    invitation.accepted_at = now or utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    record("role.invitation_accepted", actor=user, event=invitation.event, target=invitation, details={"role": invitation.role.value}, now=now)
    return grant


def set_preferred_language(user: User, code: str) -> None:
    """Remember the interface language `user` chose. Raises ValidationFailed for one the interface does not speak."""
    language = supported(code)
    if language is None:
        raise ValidationFailed({"language": gettext("Choose one of the languages offered.")})
    user.locale = language
