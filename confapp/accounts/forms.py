from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import Form
from .models import Role


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class SignupForm(Form):
    # The password is chosen on the emailed link's page: the form answers alike for every address.
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"})
    submit = SubmitField("Create account")


class PasswordResetRequestForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email()], render_kw={"autocomplete": "email"})
    submit = SubmitField("Email me a reset link")


class PasswordResetForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, message="Use at least 10 characters.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set new password")


class InviteForm(Form):
    email = EmailField("Colleague's email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role], validators=[DataRequired()])
    submit = SubmitField("Send invitation")


class GrantRoleForm(Form):
    """Site administrators give an existing account a role directly (organisers invite instead)."""

    email = EmailField("Account email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role], validators=[DataRequired()])
    submit = SubmitField("Grant role")


class ConfirmForm(Form):
    """An empty form: a POST button protected by CSRF."""

    submit = SubmitField("Confirm")


class ChoosePasswordForm(Form):
    """The last step of signing up, on the emailed link's page."""

    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, message="Use at least 10 characters.")],
        description="At least 10 characters. A few unrelated words make a strong password.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Create account")


class LanguageForm(Form):
    """The language switcher in every page's footer (a plain form: it works without JavaScript)."""
    language = SelectField(_l("Language"), choices=[], validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
