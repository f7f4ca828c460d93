from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError, ValidationFailed
from ..extensions import db, limiter, login_manager
from ..urls import local_path
from . import services
from .forms import ChoosePasswordForm, LoginForm, PasswordResetForm, PasswordResetRequestForm, SignupForm
from .models import User
from .blueprint import bp


login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@bp.before_app_request
def _load_user_afresh() -> None:
    # Flask-Login caches the user on `g`, which lives as long as the app context. Tests keep one
    # app context across many requests (and clients): without this, one client's user would
    # answer for the next request.
    g.pop("_login_user", None)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, marker = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or marker != user.session_marker:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site."""
    return local_path(target) or url_for("events.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            db.session.commit()
            session.clear()  # a fresh session on login (no fixation)
            login_user(user, remember=form.remember.data)
            flash(gettext("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(gettext("You are logged out."), "info")
    # Tells the check-in desk (issue 5) to clear its offline cache on the next page.
    return redirect(url_for("events.public_list", logged_out=1))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("events.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        # The same answer for a new and a known address; the emailed link decides what follows.
        services.request_sign_up(form.email.data, form.name.data, next_path=request.args.get("next") or "")
        db.session.commit()
        return render_template("accounts/signup_sent.html", email=services.normalise_email(form.email.data))
    return render_template("accounts/signup.html", form=form)


@bp.route("/signup/<token>", methods=["GET", "POST"])
def signup_finish(token: str):
    pending = services.sign_up_from_token(token)
    if pending is None:
        return render_template("accounts/signup_invalid.html"), 400
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.finish_sign_up(token, form.password.data)
        except ValidationFailed as error:
            form.password.errors.append(error.errors.get("password", error.message))
        except DomainError:
            return render_template("accounts/signup_invalid.html"), 400
        else:
            db.session.commit()
            logout_user()
            session.clear()
            login_user(user)
            flash(gettext("Your account is ready."), "success")
            return redirect(_safe_next(pending.get("next")))
    return render_template("accounts/signup_finish.html", form=form, email=pending["e"])


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def password_reset_request():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/password_reset_sent.html")
    return render_template("accounts/password_reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    user = services.user_from_reset_token(token)
    if user is None:
        return render_template("accounts/password_reset_invalid.html"), 400
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as error:
            form.password.errors.append(getattr(error, "errors", {}).get("password", error.message))
        else:
            db.session.commit()
            flash(gettext("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation_accept(token: str):
    invitation = services.invitation_from_token(token)
    if invitation.accepted_at is None:
        services.check_invitee(invitation, current_user)
    if request.method == "POST":
        services.accept_invitation(invitation, current_user)
        db.session.commit()
        flash(gettext("You are now %(role)s for %(event)s.", role=str(invitation.role.label).lower(), event=invitation.event.local_title), "success")
        return redirect(url_for("events.manage_overview", slug=invitation.event.slug))
    return render_template("accounts/invitation.html", invitation=invitation)
