from __future__ import annotations

from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import Form


class ReportForm(Form):
    audience_phrase = StringField(
        "Who took part, in a few words", validators=[Length(max=200)],
        description='Used when the narrative is drafted again, for example "academics, advocates and activists".',
    )
    narrative = TextAreaField(
        "Narrative", validators=[Length(max=20000)], render_kw={"rows": 6},
        description="Drafted from the figures. Edit freely: the public report prints what you write here.",
    )
    outcomes_md = TextAreaField("Outcomes", validators=[Length(max=50000)], render_kw={"rows": 8},
                                description="Markdown: **bold**, *italic*, lists with - or 1.")
    recommendations_md = TextAreaField("Recommendations", validators=[Length(max=50000)], render_kw={"rows": 8},
                                       description="Markdown.")
    acknowledgements_md = TextAreaField("Acknowledgements", validators=[Length(max=20000)], render_kw={"rows": 4},
                                        description="Markdown. Name people here only with their agreement.")
    submit = SubmitField("Save draft")


class RetentionForm(Form):
    retention_days = IntegerField(
        "Keep personal data for this many days after the event ends",
        validators=[InputRequired(), NumberRange(min=0, max=3650)],
    )
    submit = SubmitField("Save retention period")


class PurgeForm(Form):
    confirm_slug = StringField("Type the event's short name to confirm", validators=[InputRequired(), Length(max=100)])
    submit = SubmitField("Delete personal data now")


RATING_CHOICES = [("5", "5 – excellent"), ("4", "4 – good"), ("3", "3 – fair"), ("2", "2 – poor"), ("1", "1 – very poor")]


def survey_form_class(sessions: list[tuple[int, str]]):
    """The survey for one participant: overall rating, one rating per session they attended
    (all optional), a comment, and whether to answer with their name."""

    class SurveyForm(Form):
        overall = RadioField("Overall, how was the event?", choices=RATING_CHOICES, validators=[Optional()])
        comment = TextAreaField("Anything else you want the organisers to know?", validators=[Length(max=5000)],
                                render_kw={"rows": 5})
        named = RadioField(
            "Answer anonymously?", choices=[("anonymous", "Yes, anonymously"), ("named", "No, the organisers may see my name")],
            default="anonymous",
        )
        submit = SubmitField("Send feedback")

    for session_id, title in sessions:
        setattr(SurveyForm, f"session_{session_id}", RadioField(title, choices=RATING_CHOICES, validators=[Optional()]))
    return SurveyForm


class ForgetForm(Form):
    confirm = BooleanField(
        "Yes, delete my name, email address and personal answers for this event",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
