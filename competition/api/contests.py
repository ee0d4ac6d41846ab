"""Contests (api.md, Contests): settings, marking scheme (JSON or .xlsx), competitors, judges,
transitions and unfreeze. The rules live in competition.services (contests, contest_settings,
contest_scheme, entries, lifecycle); views check roles, parse and shape answers (contest_schemas)."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from competition.api.access import caller, require_user, roles_required
from competition.api.blueprint import Blueprint, no_content
from competition.api.contest_schemas import (
    XLSX,
    CompetitorIn,
    CompetitorOut,
    CompetitorPatch,
    ContestIn,
    ContestOut,
    ContestPatch,
    JudgeIn,
    JudgeOut,
    JudgePatch,
    SchemeFile,
    SchemeIn,
    SchemeOut,
    TransitionIn,
    competitor_dict,
    contest_dict,
)
from competition.api.transaction import large_body, transactional
from competition.domain.scheme import scheme_to_dict
from competition.errors import abort
from competition.services import (
    access,
    contest_scheme,
    contest_settings,
    contests,
    entries,
    lifecycle,
    marking,
    parse_pool,
    scheme_import,
)
from competition.services.access import STAFF_ROLES

blp = Blueprint("contests", __name__, description="Contests: settings, marking schemes, competitors, judges, "
                                                  "lifecycle")


# --- contests --------------------------------------------------------------------------------------------

@blp.route("/contests")
class Contests(MethodView):
    @blp.response(200, ContestOut(many=True))
    def get(self):
        """Contests: the public sees non-draft contests and public fields; staff see everything."""
        user = caller()
        staff = access.is_staff(user)
        return [contest_dict(c, staff) for c in contests.visible_contests(user)]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(ContestIn)
    @blp.response(201, ContestOut)
    def post(self, data):
        """Create a draft contest (admin, organizer)."""
        return contest_dict(contest_settings.create(data, require_user()), True)


@blp.route("/contests/<int:contest_id>")
class ContestItem(MethodView):
    @blp.response(200, ContestOut)
    def get(self, contest_id):
        """One contest (drafts only for staff)."""
        user = caller()
        return contest_dict(contests.find(contest_id, user), access.is_staff(user))

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(ContestPatch)
    @blp.response(200, ContestOut)
    def patch(self, data, contest_id):
        """Change settings: freeze_at and visibility while running; scheme-related ones only in draft."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return contest_dict(contest_settings.update(contest, data), True)


@blp.route("/contests/<int:contest_id>/marking-scheme")
class MarkingScheme(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.response(200, SchemeOut)
    def get(self, contest_id):
        """The contest's marking scheme (staff)."""
        contest = contests.find(contest_id, require_user())
        return {"scheme_version": contest.scheme_version, **(contest.scheme or {"components": []})}

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(SchemeIn)
    @blp.response(200, SchemeOut)
    def put(self, data, contest_id):
        """Set the marking scheme (draft only); 422 names the bad path, e.g. components.1.weight."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        scheme = contest_scheme.set_scheme(contest, data)
        return {"scheme_version": contest.scheme_version, **scheme_to_dict(scheme)}


@blp.route("/contests/<int:contest_id>/marking-scheme/import")
class MarkingSchemeImport(MethodView):
    @large_body
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(SchemeFile, location="files")
    @blp.response(200, SchemeOut)
    @blp.alt_response(422, description='Bad rows: {"errors": [{"row", "field", "message"}]}')
    def post(self, files, contest_id):
        """Set the marking scheme from an .xlsx file, one row per aspect (draft only)."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        contest_scheme.require_draft_for_scheme(contest)
        raw = parse_pool.parse(scheme_import.read_scheme, files["file"].read())  # in a worker process
        scheme = contest_scheme.set_scheme(contest, raw)
        return {"scheme_version": contest.scheme_version, **scheme_to_dict(scheme)}


@blp.route("/marking-scheme-template.xlsx")
class MarkingSchemeTemplate(MethodView):
    @roles_required(*STAFF_ROLES)
    @blp.response(200, content_type=XLSX, description="The import template with an example")
    def get(self):
        """An example .xlsx for the marking-scheme import (Chinese headers, electrician example)."""
        return Response(scheme_import.template_workbook(), mimetype=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="marking-scheme-template.xlsx"'})


# --- competitors -----------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/competitors")
class Competitors(MethodView):
    @blp.response(200, CompetitorOut(many=True))
    def get(self, contest_id):
        """Competitors: organizers and chief judge; judges of the contest (a blind contest: marking
        numbers only until final)."""
        user = require_user()
        contest = contests.find(contest_id, user)
        if not access.is_staff(user) and access.seat_of(contest.id, user) is None:
            abort(403, "Only the contest's organizers and judges may list its competitors.")
        blind = access.numbers_only(contest, user)
        return [competitor_dict(c, blind=blind) for c in entries.competitors_of(contest)]

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(CompetitorIn)
    @blp.response(201, CompetitorOut)
    def post(self, data, contest_id):
        """Enter a competitor (a person, or a team of team_size people); draft or running."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return competitor_dict(entries.add_competitor(contest, data))


@blp.route("/contests/<int:contest_id>/competitors/<int:competitor_id>")
class CompetitorItem(MethodView):
    @transactional
    @blp.arguments(CompetitorPatch)
    @blp.response(200, CompetitorOut)
    def patch(self, data, contest_id, competitor_id):
        """Status (absent, withdrawn, disqualified…) and time used: organizers and the chief judge;
        station and marking number: organizers."""
        user = require_user()
        contest = contests.find(contest_id, user, for_update=True)
        if not access.may_supervise(contest.id, user):
            abort(403, "Only organizers and the contest's chief judge may change a competitor.")
        if not access.is_staff(user) and data.keys() & {"station", "marking_no"}:
            abort(403, "Only organizers may change a station or marking number.")
        competitor = contests.find_competitor(contest, competitor_id)
        if not access.is_staff(user) and marking.seat_conflicted(contest.id, user, competitor.id):
            abort(403, "回避: a chief judge employed by this competitor's enterprise may not change its status "
                       "or time used.", reason="conflict_of_interest")
        blind = access.numbers_only(contest, user)
        return competitor_dict(entries.update_competitor(contest, competitor, data), blind=blind)


# --- judges ----------------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/judges")
class Judges(MethodView):
    @blp.response(200, JudgeOut(many=True))
    def get(self, contest_id):
        """The contest's judges (organizers, chief judge)."""
        user = require_user()
        contest = contests.find(contest_id, user)
        if not access.may_supervise(contest.id, user):
            abort(403, "Only organizers and the contest's chief judge may list its judges.")
        return entries.judges_of(contest)

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(JudgeIn)
    @blp.response(201, JudgeOut)
    def post(self, data, contest_id):
        """Assign a judge: aspect codes of the scheme, or "all"; `chief` makes a chief judge."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return entries.add_judge(contest, data)


@blp.route("/contests/<int:contest_id>/judges/<int:judge_id>")
class JudgeItem(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(JudgePatch)
    @blp.response(200, JudgeOut)
    def patch(self, data, contest_id, judge_id):
        """Change a judge's aspects or chief flag."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return entries.update_judge(contest, entries.find_judge(contest, judge_id), data)

    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(204)
    @blp.alt_response(409, description="The contest is final (`reason`: `contest_final`).")
    def delete(self, contest_id, judge_id):
        """Withdraw a judge from the contest. Marks the judge already entered stay; the judge can
        enter no more, and the audit entry counts the marks kept."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        entries.withdraw_judge(contest, entries.find_judge(contest, judge_id))
        return no_content()


# --- lifecycle -------------------------------------------------------------------------------------------

@blp.route("/contests/<int:contest_id>/transition")
class Transition(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.arguments(TransitionIn)
    @blp.response(200, ContestOut)
    @blp.alt_response(409, description='Not allowed now; for final, errors lists "unlocked_modules" and '
                                       '"incomplete_competitors". `reason`: `transition_not_allowed`, '
                                       '`scheme_missing`, `modules_unlocked`, `provisional_first`, '
                                       '`not_ready_for_final` or `promotions_confirmed`')
    def post(self, data, contest_id):
        """draft → running → provisional → final; running → final without an appeal window;
        running_again reopens (needs a reason).

        Refusals of the contest rules here and in the other contest set-up operations carry a stable
        machine-readable `reason` beside api.md's error fields where a page words them itself
        (`reason_required`, `contest_final`, `settings_fixed`, `team_size_fixed`,
        `marking_numbers_missing`, `scheme_fixed`, `scheme_misfit`, `entries_closed`,
        `entry_conflict`, `judge_already_assigned`, `not_frozen`)."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return contest_dict(lifecycle.transition(contest, data["to"], data["reason"]), True)


@blp.route("/contests/<int:contest_id>/unfreeze")
class Unfreeze(MethodView):
    @transactional
    @roles_required(*STAFF_ROLES)
    @blp.response(200, ContestOut)
    def post(self, contest_id):
        """Lift the freeze: public views show everything from now on."""
        contest = contests.find(contest_id, require_user(), for_update=True)
        return contest_dict(lifecycle.unfreeze(contest), True)

