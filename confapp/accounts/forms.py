from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import Form
from .models import Role


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class SignupForm(Form):
    # The password is chosen on the emailed link's page: the form answers alike for every address.
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Create account"))


class PasswordResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()], render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Email me a reset link"))


class PasswordResetForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, message=_l("Use at least 10 characters."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set new password"))


class InviteForm(Form):
    email = EmailField(_l("Colleague's email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(r.value, r.label) for r in Role], validators=[DataRequired()])
    submit = SubmitField(_l("Send invitation"))


class GrantRoleForm(Form):
    """Site administrators give an existing account a role directly (organisers invite instead)."""

    email = EmailField(_l("Account email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(r.value, r.label) for r in Role], validators=[DataRequired()])
    submit = SubmitField(_l("Grant role"))


class ConfirmForm(Form):
    """An empty form: a POST button protected by CSRF."""

    submit = SubmitField(_l("Confirm"))


class ChoosePasswordForm(Form):
    """The last step of signing up, on the emailed link's page."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=10, message=_l("Use at least 10 characters."))],
        description=_l("At least 10 characters. A few unrelated words make a strong password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create account"))


class LanguageForm(Form):
    """The language switcher in every page's footer (a plain form: it works without JavaScript)."""
    language = SelectField(_l("Language"), choices=[], validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
