from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import Form


class ReportForm(Form):
    audience_phrase = StringField(
        _l("Who took part, in a few words"), validators=[Length(max=200)],
        description=_l('Used when the narrative is drafted again, for example "academics, advocates and activists".'),
    )
    narrative = TextAreaField(
        _l("Narrative"), validators=[Length(max=20000)], render_kw={"rows": 6},
        description=_l("Drafted from the figures. Edit freely: the public report prints what you write here."),
    )
    outcomes_md = TextAreaField(_l("Outcomes"), validators=[Length(max=50000)], render_kw={"rows": 8},
                                description=_l("Markdown: **bold**, *italic*, lists with - or 1."))
    recommendations_md = TextAreaField(_l("Recommendations"), validators=[Length(max=50000)], render_kw={"rows": 8},
                                       description=_l("Markdown."))
    acknowledgements_md = TextAreaField(_l("Acknowledgements"), validators=[Length(max=20000)], render_kw={"rows": 4},
                                        description=_l("Markdown. Name people here only with their agreement."))
    submit = SubmitField(_l("Save draft"))


class WordingForm(Form):
    """What organisers write for participants (reports/wording.py); empty: the standard wording."""

    certificate_text = TextAreaField(
        _l("Certificate wording"), validators=[Length(max=2000)], render_kw={"rows": 4},
        description=_l("Printed under the certificate's heading instead of the standard text. Merge fields: see the list below. Leave empty for the standard wording."),
    )
    survey_intro = TextAreaField(
        _l("Survey introduction"), validators=[Length(max=5000)], render_kw={"rows": 4},
        description=_l("Shown at the top of the survey and in the email that invites people to it. Leave empty for none."),
    )
    survey_overall = StringField(
        _l("Overall rating question"), validators=[Length(max=300)],
        description=_l('Leave empty for "Overall, how was the event?".'),
    )
    survey_comment = StringField(
        _l("Comment prompt"), validators=[Length(max=300)],
        description=_l('Leave empty for "Anything else you want the organisers to know?".'),
    )
    submit = SubmitField(_l("Save wording"))


class RetentionForm(Form):
    retention_days = IntegerField(
        _l("Keep personal data for this many days after the event ends"),
        validators=[InputRequired(), NumberRange(min=0, max=3650)],
    )
    submit = SubmitField(_l("Save retention period"))


class PurgeForm(Form):
    confirm_slug = StringField(_l("Type the event's short name to confirm"), validators=[InputRequired(), Length(max=100)])
    submit = SubmitField(_l("Delete personal data now"))


RATING_CHOICES = [("5", _l("5 – excellent")), ("4", _l("4 – good")), ("3", _l("3 – fair")), ("2", _l("2 – poor")),
                  ("1", _l("1 – very poor"))]


def survey_form_class(sessions: list[tuple[int, str]], *, overall_label: str = "", comment_label: str = ""):
    """The survey for one participant: overall rating, one rating per session they attended
    (all optional), a comment, and whether to answer with their name. The organiser's wording
    of the two questions, when they wrote one, replaces the standard labels."""

    class SurveyForm(Form):
        overall = RadioField(overall_label or _l("Overall, how was the event?"), choices=RATING_CHOICES,
                             validators=[Optional()])
        comment = TextAreaField(comment_label or _l("Anything else you want the organisers to know?"),
                                validators=[Length(max=5000)], render_kw={"rows": 5})
        named = RadioField(
            _l("Answer anonymously?"),
            choices=[("anonymous", _l("Yes, anonymously")), ("named", _l("No, the organisers may see my name"))],
            default="anonymous",
        )
        submit = SubmitField(_l("Send feedback"))

    for session_id, title in sessions:
        setattr(SurveyForm, f"session_{session_id}", RadioField(title, choices=RATING_CHOICES, validators=[Optional()]))
    return SurveyForm


class ForgetForm(Form):
    confirm = BooleanField(
        _l("Yes, delete my name, email address and personal answers for this event"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
