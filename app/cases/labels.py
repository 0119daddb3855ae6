"""Labels of the case-work codes (English source; the pages translate them)."""

from __future__ import annotations

from gbvims import options
from gbvims.labels import N_

# How the case list is sorted (app/cases/service.py SORTS).
SORT_LABELS = {
    "created": N_("Newest first"),
    "activity": N_("Last activity"),
    "due": N_("Next follow-up due"),
    "risk": N_("Risk, highest first"),
}
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

# What the case's history calls each field an edit may change (names only, never values).
FIELD_LABELS = {
    "location": N_("Location"),
    "risk_level": N_("Risk level"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "nickname": N_("Nickname or name used"),
    "phone": N_("Phone"),
    "address": N_("Where the survivor can be found safely"),
    "caregiver_name": N_("Caregiver's name"),
    "caregiver_phone": N_("Caregiver's phone"),
    "ethnicity": N_("Ethnicity or clan"),
    "religion": N_("Religion"),
    "notes": N_("Notes"),
    "date_of_birth": N_("Date of birth"),
    "age": N_("Age (years)"),
    "age_estimated": N_("The age is an estimate"),
    "sex": N_("Sex"),
    "marital_status": N_("Marital status"),
    "displacement_status": N_("Displacement status"),
    "disability": N_("Disability"),
    "unaccompanied": N_("Unaccompanied or separated child"),
    "occupation": N_("Occupation"),
    "nationality": N_("Nationality"),
    "country_of_origin": N_("Country of origin"),
    "dependants_count": N_("Number of dependants"),
    "dependants_ages": N_("Ages of the dependants"),
    "lives_alone": N_("Does the child live alone?"),
    "caretaker_relation": N_("Relationship of the caretaker to the child"),
    "caretaker_marital_status": N_("Caretaker's marital status"),
    "caretaker_occupation": N_("Caretaker's main occupation"),
    "date_of_incident": N_("Date of the incident"),
    "date_of_interview": N_("Date of the interview"),
    "time_of_incident": N_("Time of the incident"),
    "time_of_day": N_("Time of day"),
    "place_type": N_("Type of place"),
    "stage_of_displacement": N_("Stage of displacement"),
    "classification": N_("Classification answers"),
    "harmful_traditional_practice": N_("Harmful traditional practice"),
    "money_or_goods_exchanged": N_("Money, goods, benefits or services exchanged"),
    "abduction": N_("Abduction at the time of the incident"),
    "reported_elsewhere": N_("Reported to another agency before"),
    "reported_elsewhere_to": N_("Kind of service reported to"),
    "previous_gbv": N_("Previous GBV incidents"),
    "referred_by": N_("Who referred the survivor"),
    "wants_legal_action": N_("Wants to pursue legal action"),
    "mandatory_report_made": N_("Mandatory report made"),
    "survivor_informed_of_report": N_("Survivor informed of the report"),
    "pathway": N_("Referral pathway"),
    "perpetrator_count": N_("Number of alleged perpetrators"),
    "perpetrators": N_("Alleged perpetrators"),
    "account": N_("Account of the incident"),
    "non_gbv_description": N_("Description of the non-GBV incident"),
}
HISTORY_LABELS = {
    "case.created": N_("Case registered"),
    "case.note_added": N_("Case note added"),
    "case.edited": N_("Case corrected"),
    "incident.created": N_("Incident recorded"),
    "incident.edited": N_("Incident corrected"),
    "case.consent_changed": N_("New consent recorded"),
    "case.consent_withdrawn": N_("Consent withdrawn"),
}


def field_label(name: str) -> str:
    """The English label of an edited field's dotted name ("survivor.phone", "pathway.health")."""
    parts = name.removeprefix("survivor.").split(".")
    return FIELD_LABELS.get(parts[0], N_("Other field"))
