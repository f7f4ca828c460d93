"""Schemas of the programme in /api/v1: rooms, tracks, sessions, speakers (they validate,
serialise and document). Write bodies have no defaults: a PATCH changes only what it names, a
create takes the programme services' own defaults for what it leaves out."""
from __future__ import annotations

from datetime import datetime, timezone

import marshmallow as ma
from flask_babel import gettext
from marshmallow import fields, validate

from ..program.models import ParticipationStatus, SessionKind, SessionStatus, SpeakerRole

ID = validate.Range(min=1, max=2**31 - 1)
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2200, 1, 1, tzinfo=timezone.utc)


def WHEN(value: datetime) -> None:
    """Far enough either way for any programme, so that no arithmetic on a time overflows."""
    if not EARLIEST <= value <= LATEST:
        raise ma.ValidationError(gettext("Give a time between 1970 and 2200."))


class ConflictWarningSchema(ma.Schema):
    """One timetable warning (confapp/program/conflicts.py): a warning, not an error."""

    kind = fields.String(required=True, validate=validate.OneOf(["room", "speaker", "dates", "room_hours", "capacity"]))
    session_id = fields.Integer(required=True)
    other_session_id = fields.Integer(required=True, allow_none=True)
    message = fields.String(required=True, metadata={"description": "In the request's language."})


def _page(item_schema, description: str):
    return type(f"{item_schema.__name__.removesuffix('Schema')}PageSchema", (ma.Schema,), {
        "results": fields.List(fields.Nested(item_schema), required=True),
        "next": fields.String(required=True, allow_none=True, metadata={
            "description": "Pass as `cursor` for the next page; null on the last."}),
        "__doc__": description,
    })


# --- rooms -------------------------------------------------------------------------------------

class RoomSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    accessibility = fields.String(required=True)
    available_from = fields.Time(required=True, allow_none=True, metadata={"description": "Daily, local time."})
    available_until = fields.Time(required=True, allow_none=True)
    position = fields.Integer(required=True)


class RoomResultSchema(RoomSchema):
    warnings = fields.List(fields.Nested(ConflictWarningSchema), required=True, metadata={
        "description": "Timetable warnings of the sessions in this room, after the change."})


class RoomUpdateSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**6))
    accessibility = fields.String(validate=validate.Length(max=2000))
    available_from = fields.Time(allow_none=True)
    available_until = fields.Time(allow_none=True)
    position = fields.Integer(validate=validate.Range(min=0, max=10**4))


class RoomCreateSchema(RoomUpdateSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


RoomPageSchema = _page(RoomSchema, "Rooms, a page at a time (ordered by id).")


# --- tracks ------------------------------------------------------------------------------------

class TrackSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    colour = fields.String(required=True, metadata={"description": "#rrggbb"})
    position = fields.Integer(required=True)


class TrackUpdateSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    colour = fields.String(validate=validate.Length(max=7))
    position = fields.Integer(validate=validate.Range(min=0, max=10**4))


class TrackCreateSchema(TrackUpdateSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


TrackPageSchema = _page(TrackSchema, "Tracks, a page at a time (ordered by id).")


# --- sessions ----------------------------------------------------------------------------------

class SessionSpeakerSchema(ma.Schema):
    speaker_id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in SpeakerRole]))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ParticipationStatus]))


class SessionSchema(ma.Schema):
    id = fields.Integer(required=True)
    uid = fields.String(required=True, metadata={"description": "Stable public id (agenda URLs, iCalendar UIDs)."})
    title = fields.String(required=True)
    description = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SessionKind]))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in SessionStatus]))
    starts_at = fields.AwareDateTime(required=True, allow_none=True)
    ends_at = fields.AwareDateTime(required=True, allow_none=True)
    room_id = fields.Integer(required=True, allow_none=True)
    track_id = fields.Integer(required=True, allow_none=True)
    language = fields.String(required=True)
    interpretation = fields.String(required=True)
    accessibility = fields.String(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    speakers = fields.List(fields.Nested(SessionSpeakerSchema), required=True, metadata={
        "description": "Without a token: the speakers who have not declined."})
    updated_at = fields.AwareDateTime(required=True)


class SessionResultSchema(SessionSchema):
    warnings = fields.List(fields.Nested(ConflictWarningSchema), required=True, metadata={
        "description": "This session's timetable warnings after the change (they do not stop a save)."})


class SessionUpdateSchema(ma.Schema):
    title = fields.String(validate=validate.Length(min=1, max=250))
    kind = fields.String(validate=validate.OneOf([k.value for k in SessionKind]))
    starts_at = fields.AwareDateTime(allow_none=True, validate=WHEN)
    ends_at = fields.AwareDateTime(allow_none=True, validate=WHEN, metadata={
        "description": "Left out with a new start: a scheduled session keeps its length; "
                       "a new or unscheduled one gets the kind's default duration."})
    room_id = fields.Integer(allow_none=True, validate=ID)
    track_id = fields.Integer(allow_none=True, validate=ID)
    description = fields.String(validate=validate.Length(max=20000))
    language = fields.String(validate=validate.Length(max=80))
    interpretation = fields.String(validate=validate.Length(max=300))
    accessibility = fields.String(validate=validate.Length(max=2000))
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**6))


class SessionCreateSchema(SessionUpdateSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=250))


class PublishRequestSchema(ma.Schema):
    acknowledge_warnings = fields.Boolean(load_default=False, metadata={
        "description": "Publish although the session has timetable warnings (else 422 `conflicts_need_review`)."})


class AssignSpeakerSchema(ma.Schema):
    speaker_id = fields.Integer(required=True, validate=ID)
    role = fields.String(load_default=SpeakerRole.PANELIST.value, validate=validate.OneOf([r.value for r in SpeakerRole]))


class SessionArgsSchema(ma.Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"description": "The `next` value of the previous page."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in SessionStatus]),
                           metadata={"description": "With a programme:read token only; without one, public sessions."})


SessionPageSchema = _page(SessionSchema, "Sessions, a page at a time (ordered by id).")


# --- speakers ----------------------------------------------------------------------------------

class SpeakerSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    pronouns = fields.String(required=True)
    affiliation = fields.String(required=True)
    city = fields.String(required=True)
    bio = fields.String(required=True)
    links = fields.List(fields.String(), required=True)
    session_ids = fields.List(fields.Integer(), required=True, metadata={
        "description": "Without a token: only the public sessions the speaker has not declined."})
    email = fields.String(metadata={"description": "Only with a programme:read token (personal data)."})


class SpeakerResultSchema(SpeakerSchema):
    warnings = fields.List(fields.Nested(ConflictWarningSchema), required=True, metadata={
        "description": "Timetable warnings of this speaker's sessions."})


class SpeakerUpdateSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.String(validate=validate.Length(max=254))
    pronouns = fields.String(validate=validate.Length(max=60))
    affiliation = fields.String(validate=validate.Length(max=200))
    city = fields.String(validate=validate.Length(max=120))
    bio = fields.String(validate=validate.Length(max=2000))
    links = fields.List(fields.String(validate=validate.Length(max=500)), validate=validate.Length(max=5))


class SpeakerCreateSchema(SpeakerUpdateSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


SpeakerPageSchema = _page(SpeakerSchema, "Speakers, a page at a time (ordered by id).")
