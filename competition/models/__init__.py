"""The database layer: one module per aggregate; importing this package registers every model."""
from competition.models.audit import AuditEntry, AuditHead
from competition.models.enterprise import Enterprise
from competition.models.idempotency import IdempotencyRecord
from competition.models.user import ApiToken, LoginFailure, Role, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Enterprise",
    "IdempotencyRecord",
    "LoginFailure",
    "Role",
    "User",
]
