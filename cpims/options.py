"""Code lists of child protection case management (codes → English labels; the web layer
translates them). Codes fixed by the public contract: ``PROTECTION_CONCERNS`` and
``GRAVE_VIOLATIONS``; the rest is country data in the same shape."""

from __future__ import annotations

from .labels import N_

Options = dict[str, str]

PROTECTION_CONCERNS: Options = {
    "unaccompanied": N_("Unaccompanied child"),
    "separated": N_("Separated child"),
    "associated_with_armed_groups": N_("Associated with armed forces or groups"),
    "talibe": N_("Talibé child (Koranic school)"),
    "child_labour": N_("Child labour, including its worst forms"),
    "detention": N_("Arrested or detained"),
    "street_connected": N_("Street-connected child"),
    "child_headed_household": N_("Child-headed household"),
    "sexual_violence": N_("Sexual violence"),
    "physical_violence": N_("Physical violence or abuse"),
    "neglect": N_("Neglect"),
    "child_marriage": N_("Child marriage"),
    "trafficking": N_("Trafficked or smuggled"),
    "disability": N_("Child with a disability"),
    "explosive_ordnance_victim": N_("Victim of a mine or explosive remnant of war"),
    "other": N_("Other protection concern"),
}
# Concerns that call for family tracing: the tracing section opens for them.
TRACING_CONCERNS = frozenset({"unaccompanied", "separated"})

# Why a child has no caregiver recorded: required when no caregiver is named.
NO_CAREGIVER_REASONS: Options = {
    "unaccompanied": N_("The child is unaccompanied: no adult cares for them"),
    "child_headed_household": N_("The child heads the household"),
    "caregiver_unknown": N_("The caregiver is not known yet"),
    "caregiver_unsafe": N_("Naming the caregiver would put the child at risk"),
    "caregiver_is_perpetrator": N_("The caregiver is the alleged perpetrator"),
}

# Needs per domain of the CP assessment and case plan (Inter-Agency Guidelines).
NEED_DOMAINS: Options = {
    "safety": N_("Safety and protection"),
    "family": N_("Family and care"),
    "health": N_("Health"),
    "psychosocial": N_("Psychosocial well-being"),
    "education": N_("Education"),
    "documentation": N_("Civil documentation"),
    "basic_needs": N_("Food, shelter and basic needs"),
    "legal": N_("Legal and justice"),
}
# A case-plan row's expected timeframe.
TIMEFRAMES: Options = {
    "1_hour": N_("Within 1 hour"),
    "3_hours": N_("Within 3 hours"),
    "1_day": N_("Within 1 day"),
    "3_days": N_("Within 3 days"),
    "1_week": N_("Within 1 week"),
    "1_month": N_("Within 1 month"),
    "3_months": N_("Within 3 months"),
}

# Best interests.
BIA_PRIORITY: Options = {
    "2_days": N_("Within 2 days"),
    "1_week": N_("Within 1 week"),
    "30_days": N_("Within 30 days"),
    "not_urgent": N_("Not urgent"),
}
BI_RECOMMENDATIONS: Options = {
    "reunification": N_("Family reunification"),
    "maintain_care": N_("Maintain the current care arrangement"),
    "change_care": N_("Change the care arrangement"),
    "local_integration": N_("Local integration"),
    "medical": N_("Medical care"),
    "repatriation": N_("Voluntary repatriation"),
    "resettlement": N_("Resettlement"),
    "other": N_("Other"),
}
BID_DECISIONS: Options = {
    "approved": N_("Recommendation approved"),
    "modified": N_("Approved with changes"),
    "deferred": N_("Deferred: more information needed"),
    "rejected": N_("Recommendation rejected"),
}

# Family tracing and reunification.
SEPARATION_CAUSES: Options = {
    "conflict": N_("Conflict or attack"),
    "death": N_("Death of the parents or caregivers"),
    "abuse": N_("Abuse, violence or exploitation"),
    "no_services": N_("Lack of access to services"),
    "caafag": N_("Association with armed forces or groups"),
    "sickness": N_("Sickness of a family member"),
    "entrusted": N_("Entrusted to an individual (incl. a Koranic teacher)"),
    "detention": N_("Arrest or detention"),
    "abandonment": N_("Abandonment"),
    "population_movement": N_("Population movement or displacement"),
    "migration": N_("Migration"),
    "poverty": N_("Poverty"),
    "natural_disaster": N_("Natural disaster"),
    "divorce": N_("Divorce or remarriage"),
    "other": N_("Other"),
}
TRACING_ACTIONS: Options = {
    "case_by_case": N_("Case-by-case tracing"),
    "individual": N_("Individual tracing"),
    "mass": N_("Mass tracing"),
    "photo": N_("Photo tracing"),
    "referral_icrc": N_("Referral to the ICRC or an NGO"),
}
TRACING_OUTCOMES: Options = {
    "pending": N_("Pending"),
    "successful": N_("Family found"),
    "unsuccessful": N_("Unsuccessful"),
}
VERIFICATION: Options = {
    "further_tracing": N_("Further tracing"),
    "long_term_care": N_("Long-term alternative care"),
    "reunification": N_("Reunification"),
    "reunification_support": N_("Reunification with enhanced support"),
}
REUNIFICATION_TYPES: Options = {
    "parents": N_("With the parents"),
    "relatives": N_("With other relatives"),
    "former_caregiver": N_("With the former caregiver"),
}
CARE_ARRANGEMENTS: Options = {
    "parents": N_("Parents"),
    "kinship": N_("Kinship care"),
    "foster": N_("Foster care"),
    "interim_care_centre": N_("Interim care centre"),
    "independent_living": N_("Supervised independent living"),
    "other": N_("Other"),
}
# What a child-protection follow-up is for; "review" is the case review the clocks ask for.
FOLLOW_UP_PURPOSES: Options = {
    "review": N_("Case review"),
    "after_reunification": N_("After reunification"),
    "in_care": N_("Child in care"),
    "service": N_("For a service"),
    "assessment": N_("For an assessment"),
}

CLOSURE_REASONS: Options = {
    "goals_met": N_("Case plan goals met and the child is safe"),
    "no_longer_wanted": N_("The child or family no longer want support (the child is safe)"),
    "turned_18": N_("Turned 18: transition to adult services"),
    "relocated": N_("Relocated out of the area"),
    "transferred": N_("Transferred to another agency"),
    "death": N_("Death of the child"),
    "lost_contact": N_("Lost contact (not seen during verification)"),
    "other": N_("Other"),
}

# The closure checklist (codes of models.casework.CLOSURE_CHECKLIST) in a child's words.
CLOSURE_CHECKLIST: Options = {
    "needs_met": N_("The child's needs have been met and the child is safe"),
    "no_contact_30_days": N_("No contact with the child or family for at least 30 days"),
    "survivor_asked_to_close": N_("The child or family asked to close the case"),
    "safety_plan_reviewed": N_("The safety plan was reviewed with the child and caregiver"),
    "told_can_come_back": N_("The child and family know they can come back at any time"),
    "supervisor_reviewed_file": N_("The file is complete for the supervisor's review"),
}

# MRM: the six grave violations (UN Security Council resolution 1612).
GRAVE_VIOLATIONS: Options = {
    "killing_maiming": N_("Killing and maiming"),
    "recruitment_use": N_("Recruitment and use by armed forces or groups"),
    "sexual_violence": N_("Rape and other grave sexual violence"),
    "abduction": N_("Abduction"),
    "attacks_schools_hospitals": N_("Attacks on schools or hospitals (incl. military use)"),
    "denial_humanitarian_access": N_("Denial of humanitarian access"),
}
MRM_PERPETRATORS: Options = {
    "state_forces": N_("National armed or security forces"),
    "armed_group": N_("Non-state armed group"),
    "international_forces": N_("International or foreign forces"),
    "unknown": N_("Unknown or unattributed"),
}

SUB_CLUSTERS: Options = {"gbv": N_("GBV sub-cluster"), "cp": N_("Child protection sub-cluster")}
