"""The database layer: one module per aggregate; importing this package registers every model."""
from competition.models.appeal import Appeal
from competition.models.audit import AuditEntry, AuditHead
from competition.models.board import BoardEvent, BoardPublished, BoardView, Standing
from competition.models.competitor import Competitor, CompetitorMember
from competition.models.contest import Contest, ContestJudge, ContestState, ModuleLock
from competition.models.enterprise import Enterprise
from competition.models.event import ContestAward, Event
from competition.models.grading import Grade, GradeScheme
from competition.models.idempotency import IdempotencyRecord
from competition.models.marking import Mark, MarkRevision
from competition.models.occupation import Occupation
from competition.models.person import Person, PersonGrade
from competition.models.promotion import Certificate, CertificateSerial, Promotion
from competition.models.user import ApiToken, LoginFailure, Role, User, UserSession

__all__ = [
    "Appeal", "ApiToken", "AuditEntry", "AuditHead", "BoardEvent", "BoardPublished", "BoardView", "Certificate",
    "CertificateSerial", "Competitor", "CompetitorMember", "Contest", "ContestAward", "ContestJudge", "ContestState",
    "Enterprise", "Event", "Grade",
    "GradeScheme", "IdempotencyRecord", "LoginFailure", "Mark", "MarkRevision", "ModuleLock", "Occupation",
    "Person", "PersonGrade", "Promotion", "Role", "Standing", "User", "UserSession",
]
