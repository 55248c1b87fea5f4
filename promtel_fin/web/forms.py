"""WTForms forms; labels and messages are translated (lazy_gettext)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Write your e-mail.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Write your password.")), Length(max=1000)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Write your current password.")), Length(max=1000)])
    new_password = PasswordField(_l("New password (12 characters or more)"), validators=[
        DataRequired(_l("Write the new password.")), Length(max=1000)])
    confirm = PasswordField(_l("New password, again"), validators=[
        EqualTo("new_password", _l("The two passwords do not match."))])
