"""Every model whose table backrest's migrations manage.

Importing this module puts their tables on ``Base.metadata``: what alembic
compares the database with (``backrest/alembic/env.py``, and the tests).
"""

from backrest.accounts.models import AccountToken, User
from backrest.audit.models import AuditEntry
from backrest.content.models import ContentRemoval, Share
from backrest.db import Base
from backrest.files.models import Blob
from backrest.keys.models import ApiKey
from backrest.mail.models import OutboxMessage
from backrest.oauth.models import Application, AuthorizationCode, Grant, Token
from backrest.sessions.models import UserSession
from backrest.teams.models import Team, TeamGrant, TeamInvitation, TeamMember
from backrest.types.documents import Document
from backrest.types.files import File

MODELS = (
    User,
    AccountToken,
    ApiKey,
    AuditEntry,
    Blob,
    ContentRemoval,
    Share,
    OutboxMessage,
    UserSession,
    Team,
    TeamMember,
    TeamGrant,
    TeamInvitation,
    Document,
    File,
    Application,
    Grant,
    AuthorizationCode,
    Token,
)
metadata = Base.metadata
