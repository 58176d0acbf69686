"""Request and response shapes of chat (REST and socket payloads share the input schemas)."""

from marshmallow import Schema, fields, validate

from app.core.pagination import PageArgs

# PostgreSQL's text cannot hold NUL: refused here, as input, rather than failing the writer's whole batch.
NO_NUL = validate.Regexp(r"^[^\x00]*\Z", error="Text may not contain NUL characters.")
CLIENT_ID = fields.String(
    required=True,
    validate=[validate.Length(min=8, max=64), NO_NUL],
    metadata={"description": "unique per sender (a UUID): a resend returns the stored message"},
)
SEQ = fields.Integer(validate=validate.Range(min=0))


class ConversationCreateSchema(Schema):
    subject = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=120), NO_NUL])
    community_id = fields.Integer(load_default=None, allow_none=True)


class ConversationListArgs(PageArgs):
    scope = fields.String(
        load_default="all", validate=validate.OneOf(["mine", "unassigned", "all", "resident"])
    )
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "resolved"]))


class MessageListArgs(Schema):
    after_seq = SEQ
    before_seq = SEQ
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    internal = fields.Boolean(load_default=False, metadata={"description": "workers: the private notes"})


class MessageCreateSchema(Schema):
    body = fields.String(load_default="", validate=[validate.Length(max=2000), NO_NUL])
    client_id = CLIENT_ID
    attachment_ids = fields.List(fields.Integer(), load_default=list)
    internal = fields.Boolean(load_default=False, metadata={"description": "a private note for workers"})


class SendEventSchema(MessageCreateSchema):
    conversation_id = fields.Integer(required=True)


class SyncEventSchema(Schema):
    conversation_id = fields.Integer(required=True)
    after_seq = fields.Integer(load_default=0, validate=validate.Range(min=0))
    after_note_seq = fields.Integer(load_default=None, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=200))


class ChatReadSchema(Schema):
    seq = fields.Integer(required=True, validate=validate.Range(min=0))


class ReadEventSchema(ChatReadSchema):
    conversation_id = fields.Integer(required=True)


class TypingEventSchema(Schema):
    conversation_id = fields.Integer(required=True)
    typing = fields.Boolean(load_default=True)
    internal = fields.Boolean(load_default=False)


class ChatTransferSchema(Schema):
    to_user_id = fields.Integer(required=True)


class ChatRatingSchema(Schema):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=500), NO_NUL])


class CannedCreateSchema(Schema):
    shortcut = fields.String(required=True, validate=[validate.Length(min=1, max=30), NO_NUL])
    body = fields.String(required=True, validate=[validate.Length(min=1, max=1000), NO_NUL])
    community_id = fields.Integer(load_default=None, allow_none=True)


class DutySetSchema(Schema):
    on_duty = fields.Boolean(required=True)


# --- output ------------------------------------------------------------------------------------------------


class ChatPersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    side = fields.String()


class ChatAttachmentSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    thumb_url = fields.String()


class MessageSchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    conversation_id = fields.Integer()
    sender = fields.Nested(ChatPersonSchema, allow_none=True)
    kind = fields.String(metadata={"description": "text, system or auto (the out-of-hours reply)"})
    internal = fields.Boolean()
    body = fields.String()
    client_id = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(ChatAttachmentSchema))
    created_at = fields.String()


class MessagePageSchema(Schema):
    data = fields.List(fields.Nested(MessageSchema))
    has_more = fields.Boolean()
    next_cursor = fields.String(allow_none=True)


class LastMessageSchema(Schema):
    seq = fields.Integer()
    preview = fields.String(allow_none=True)
    at = fields.String()


class ColleagueSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    on_duty = fields.Boolean()


class WorkerCardSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    grid = fields.String(allow_none=True)
    community = fields.String()
    on_duty = fields.Boolean()
    photo_url = fields.String(allow_none=True)


class ChatRatingOutSchema(Schema):
    rating = fields.Integer()
    comment = fields.String(allow_none=True)


class ConversationSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    subject = fields.String(allow_none=True)
    resident = fields.Nested(ChatPersonSchema)
    community_id = fields.Integer()
    grid_id = fields.Integer(allow_none=True)
    grid_name = fields.String(allow_none=True)
    assignee = fields.Nested(ChatPersonSchema, allow_none=True)
    shared = fields.Boolean()
    last_seq = fields.Integer()
    last_note_seq = fields.Integer()
    last_message = fields.Nested(LastMessageSchema, allow_none=True)
    resident_read_seq = fields.Integer()
    staff_read_seq = fields.Integer()
    unread = fields.Integer()
    waiting_since = fields.String(allow_none=True)
    first_response_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)
    rating = fields.Nested(ChatRatingOutSchema, allow_none=True)
    worker = fields.Nested(WorkerCardSchema, allow_none=True)
    colleagues = fields.List(
        fields.Nested(ColleagueSchema), metadata={"description": "workers: who to transfer to"}
    )
    created_at = fields.String()
    updated_at = fields.String()


class ConversationPageSchema(Schema):
    data = fields.List(fields.Nested(ConversationSchema))
    next_cursor = fields.String(allow_none=True)


class CannedSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    shortcut = fields.String()
    body = fields.String()


class DutySchema(Schema):
    on_duty = fields.Boolean()
    off_since = fields.AwareDateTime(allow_none=True)
    share_after_minutes = fields.Integer(
        metadata={"description": "on duty, a waiting conversation goes to the whole community after this"}
    )
