"""Labels of the case-work codes (English source; the pages translate them)."""

from __future__ import annotations

from gbvims import options
from gbvims.labels import N_

STAGE_LABELS = {
    "engagement": N_("Introduction and engagement"),
    "assessment": N_("Assessment"),
    "action_plan": N_("Case action plan"),
    "implementation": N_("Implementation"),
    "follow_up": N_("Follow-up"),
    "closure": N_("Closure"),
}
PLAN_STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Waiting for the supervisor"),
    "approved": N_("Approved"),
    "rejected": N_("Sent back"),
}
AREA_LABELS = {**options.RELEASE_AREAS, "safety": N_("Safety"), "child_protection": N_("Child protection or education")}
GOAL_STATUS_LABELS = {"not_started": N_("Not started"), "in_progress": N_("In progress"), "done": N_("Done")}
REASON_LABELS = {
    "needs_met": N_("Case action plan goals met"),
    "survivor_request": N_("The survivor asked to close the case"),
    "no_contact": N_("No contact for 30 days or more"),
    "left_area": N_("The survivor left the area"),
    "transferred": N_("Transferred to another agency"),
    "other": N_("Other"),
}
CHECKLIST_LABELS = {
    "needs_met": N_("The survivor's needs have been met"),
    "no_contact_30_days": N_("No contact for at least 30 days"),
    "survivor_asked_to_close": N_("The survivor asked to close the case"),
    "safety_plan_reviewed": N_("The safety plan was reviewed with the survivor"),
    "told_can_come_back": N_("The survivor knows they can come back at any time"),
    "supervisor_reviewed_file": N_("The file is complete for the supervisor's review"),
}
ASSESSMENT_LABELS = {
    "safety": N_("Safety"),
    "health": N_("Health"),
    "psychosocial": N_("Psychosocial"),
    "legal": N_("Legal and justice"),
    "practical": N_("Practical and material needs"),
}
