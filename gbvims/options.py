"""Option lists of the GBVIMS Incident Recording Form and of case management (codes → English
labels; the web layer translates them). Codes: docs/gbvims.md and docs/api.md."""

from __future__ import annotations

from .labels import N_

Options = dict[str, str]

SEX: Options = {"female": N_("Female"), "male": N_("Male")}
MARITAL_STATUS: Options = {
    "single": N_("Single"),
    "married": N_("Married or cohabiting"),
    "divorced": N_("Divorced or separated"),
    "widowed": N_("Widowed"),
}
DISPLACEMENT_STATUS: Options = {
    "resident": N_("Resident"),
    "idp": N_("Internally displaced person"),
    "refugee": N_("Refugee"),
    "stateless": N_("Stateless"),
    "returnee": N_("Returnee"),
    "foreign_national": N_("Foreign national"),
    "asylum_seeker": N_("Asylum seeker"),
    "not_applicable": N_("Not applicable"),
}
DISABILITY: Options = {
    "no": N_("No disability"),
    "mental": N_("Mental disability"),
    "physical": N_("Physical disability"),
    "both": N_("Mental and physical disability"),
}
UNACCOMPANIED: Options = {
    "no": N_("No"),
    "unaccompanied": N_("Unaccompanied minor"),
    "separated": N_("Separated child"),
    "orphan_or_vulnerable": N_("Orphan or other vulnerable child"),
}
STAGE_OF_DISPLACEMENT: Options = {
    "not_displaced": N_("Not displaced / home community"),
    "pre_displacement": N_("Pre-displacement"),
    "during_flight": N_("During flight"),
    "during_refuge": N_("During refuge"),
    "during_return": N_("During return or transit"),
    "post_displacement": N_("Post-displacement"),
}
TIME_OF_DAY: Options = {
    "morning": N_("Morning (sunrise to noon)"),
    "afternoon": N_("Afternoon (noon to sunset)"),
    "evening_night": N_("Evening or night (sunset to sunrise)"),
    "unknown": N_("Unknown"),
}
PLACE_TYPE: Options = {
    "bush_forest": N_("Bush or forest"),
    "garden_field": N_("Garden or field"),
    "school": N_("School"),
    "road": N_("Road"),
    "survivor_home": N_("Survivor's home"),
    "perpetrator_home": N_("Perpetrator's home"),
    "market": N_("Market"),
    "streamside": N_("Streamside or water point"),
    "latrine": N_("Latrine or bathing area"),
    "farm": N_("Farm"),
    "other": N_("Other"),
}
HARMFUL_TRADITIONAL_PRACTICE: Options = {
    "no": N_("No"),
    "fgm_c": N_("Female genital mutilation/cutting"),
    "early_marriage": N_("Early marriage"),
    "other": N_("Other harmful traditional practice"),
}
ABDUCTION: Options = {
    "none": N_("None"),
    "forced_conscription": N_("Forced conscription"),
    "trafficked": N_("Trafficked"),
    "other_abduction": N_("Other abduction or kidnapping"),
}
REPORTED_ELSEWHERE: Options = {
    "no": N_("No"),
    "gbvims_agency": N_("Yes, to an agency that uses the GBVIMS"),
    "non_gbvims_agency": N_("Yes, to an agency that does not use the GBVIMS"),
}
# A person is female, male or of unknown sex; "both" exists only for the incident as a whole.
PERPETRATOR_SEX: Options = {"female": N_("Female"), "male": N_("Male"), "unknown": N_("Unknown")}
INCIDENT_PERPETRATOR_SEX: Options = {
    "female": N_("Female"),
    "male": N_("Male"),
    "both": N_("Both female and male"),
    "unknown": N_("Unknown"),
}
# The number of alleged perpetrators is its own IRF answer: the rows may describe fewer.
PERPETRATOR_COUNT: Options = {
    "1": "1",
    "2": "2",
    "3": "3",
    "more_than_3": N_("More than 3"),
    "unknown": N_("Unknown"),
}
AGE_GROUP: Options = {
    "0-11": "0–11",
    "12-17": "12–17",
    "18-25": "18–25",
    "26-40": "26–40",
    "41-60": "41–60",
    "61+": "61+",
    "unknown": N_("Unknown"),
}
RELATIONSHIP: Options = {
    "intimate_partner": N_("Intimate partner or former partner"),
    "primary_caregiver": N_("Primary caregiver"),
    "family_other": N_("Family other than spouse or caregiver"),
    "supervisor_employer": N_("Supervisor or employer"),
    "schoolmate": N_("Schoolmate"),
    "teacher": N_("Teacher or school official"),
    "service_provider": N_("Service provider"),
    "cotenant": N_("Cotenant or housemate"),
    "family_friend_neighbour": N_("Family friend or neighbour"),
    "other_refugee_idp_returnee": N_("Other refugee, IDP or returnee"),
    "other_resident": N_("Other resident community member"),
    "other": N_("Other"),
    "no_relation": N_("No relation"),
    "unknown": N_("Unknown"),
}
OCCUPATION: Options = {
    "farmer": N_("Farmer"),
    "student": N_("Student"),
    "civil_servant": N_("Civil servant"),
    "police": N_("Police"),
    "state_military": N_("State military"),
    "trader": N_("Trader"),
    "non_state_armed_actor": N_("Non-state armed actor, rebel or militia"),
    "security_official": N_("Security official"),
    "community_leader": N_("Community leader"),
    "religious_leader": N_("Religious leader"),
    "teacher": N_("Teacher"),
    "un_staff": N_("UN staff"),
    "ngo_staff": N_("NGO staff"),
    "health_worker": N_("Health worker"),
    "unemployed": N_("Unemployed"),
    "unknown": N_("Unknown"),
    "other": N_("Other"),
}
REFERRED_BY: Options = {
    "self_referral": N_("Self-referral / first point of contact"),
    "health": N_("Health or medical services"),
    "psychosocial": N_("Psychosocial services"),
    "police_security": N_("Police or other security actor"),
    "legal": N_("Legal assistance services"),
    "livelihoods": N_("Livelihoods programme"),
    "teacher_school": N_("Teacher or school official"),
    "community_leader": N_("Community or camp leader"),
    "shelter": N_("Safe house or shelter"),
    "other_humanitarian": N_("Other humanitarian or development actor"),
    "other_government": N_("Other government service"),
    "other": N_("Other"),
}
# Referral-pathway status per service on the IRF.
PATHWAY_SERVICES: Options = {
    "shelter": N_("Safe house or shelter"),
    "health": N_("Health or medical services"),
    "psychosocial": N_("Psychosocial services"),
    "legal": N_("Legal assistance"),
    "security": N_("Police or other security actor"),
    "livelihoods": N_("Livelihoods"),
    "child_protection": N_("Child protection or education"),
}
PATHWAY_STATUS: Options = {
    "referred": N_("Referred"),
    "provided_by_agency": N_("Service provided by your agency"),
    "received_elsewhere": N_("Already received from another agency"),
    "not_applicable": N_("Not applicable"),
    "declined_by_survivor": N_("Referral declined by the survivor"),
    "service_unavailable": N_("Service unavailable"),
}
# Areas of information release the survivor may consent to (docs/api.md `consent.release`).
RELEASE_AREAS: Options = {
    "health": N_("Health or medical services"),
    "psychosocial": N_("Psychosocial services"),
    "legal": N_("Legal assistance"),
    "security": N_("Police or other security actor"),
    "shelter": N_("Safe house or shelter"),
    "livelihoods": N_("Livelihoods"),
    "other": N_("Other services"),
}
CONSENT_GIVEN_BY: Options = {
    "survivor": N_("The survivor"),
    "caregiver": N_("Parent or caregiver"),
    "trusted_adult": N_("Trusted adult"),
    "caseworker": N_("Caseworker, in the child's best interest"),
}
ASSENT: Options = {"none": N_("Not needed"), "oral": N_("Oral assent"), "written": N_("Written assent")}
# The child-survivor block of the IRF: who the child lives with.
CARETAKER_RELATION: Options = {
    "parent_guardian": N_("Parent or guardian"),
    "relative": N_("Other relative"),
    "spouse": N_("Spouse or cohabiting partner"),
    "other": N_("Other"),
    "unknown": N_("Unknown"),
}
RISK_LEVEL: Options = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
CASE_KIND: Options = {"gbv": N_("GBV"), "cp": N_("Child protection")}
CASE_STATUS: Options = {"open": N_("Open"), "closed": N_("Closed")}
YES_NO_UNKNOWN: Options = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Unknown")}
# Shown wherever a coded answer was left empty: nobody answered, which is not "no".
NOT_RECORDED = N_("Not recorded")
LEGAL_ACTION: Options = {"yes": N_("Yes"), "no": N_("No"), "undecided": N_("Undecided")}


class CountryLabel(str):
    """A label that comes with a deployment's country data, translated there (not in the
    catalogues, which hold only what the code says)."""

    translations: dict[str, str]

    def __new__(cls, english: str, translations: dict[str, str]) -> CountryLabel:
        made = super().__new__(cls, english)
        made.translations = translations
        return made


# Lists a country adapts with its own places and occupations (IRF: "country-adaptable").
COUNTRY_ADAPTABLE: dict[str, Options] = {"place_type": PLACE_TYPE, "occupation": OCCUPATION}


def adopt_country(data: dict[str, dict[str, dict[str, str]]]) -> None:
    """Add a country's codes to the adaptable lists, before "other" (idempotent).

    ``data`` is ``{"place_type": {"checkpoint": {"en": "Checkpoint", "fr": "…"}}, …}``.
    """
    for list_name, entries in data.items():
        target = COUNTRY_ADAPTABLE.get(list_name)
        if target is None:
            raise ValueError(f"the list {list_name!r} cannot be adapted by a country")
        tail: Options = {code: target.pop(code) for code in ("unknown", "other") if code in target}
        for code, labels in entries.items():
            target[code] = CountryLabel(labels["en"], labels)
        target.update(tail)
