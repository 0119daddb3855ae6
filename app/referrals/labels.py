"""Labels of referral codes (English source; translated when rendered)."""

from gbvims.labels import N_

# One label per code of referral.packet.SERVICE_TYPES, in its order (tests/unit/test_code_lists.py).
SERVICE_TYPE_LABELS = {
    "health": N_("Health and medical care (incl. clinical management of rape)"),
    "psychosocial": N_("Psychosocial support"),
    "legal": N_("Legal aid and justice"),
    "security": N_("Police and security"),
    "shelter": N_("Safe shelter"),
    "livelihoods": N_("Livelihoods and socio-economic reintegration"),
    "child_protection": N_("Child protection"),
    "education": N_("Education"),
    "family_tracing": N_("Family tracing and reunification"),
    "alternative_care": N_("Alternative care"),
    "civil_documentation": N_("Civil documentation and birth registration"),
    "victim_assistance": N_("Victim assistance (mines and explosive remnants of war)"),
}
STATE_LABELS = {
    "draft": N_("Draft"),
    "sent": N_("Sent, waiting for an answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "service_delivered": N_("Service delivered"),
    "not_delivered": N_("Service not delivered"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
}
EVENT_LABELS = {
    "accept": N_("Accept"),
    "decline": N_("Decline"),
    "deliver": N_("Service delivered"),
    "not_deliver": N_("Service not delivered"),
    "close": N_("Close the referral"),
    "withdraw": N_("Withdraw"),
}
# What the caseworker records for a service without a Sutura account (its answer on the reply
# slip or by phone): one label per event of referral.states.ON_BEHALF_EVENTS.
ON_BEHALF_LABELS = {
    "accept": N_("The service accepted"),
    "decline": N_("The service declined"),
    "deliver": N_("The service was delivered"),
    "not_deliver": N_("The service was not delivered"),
}
REASON_LABELS = {
    "capacity": N_("No capacity now"),
    "not_offered": N_("Service not offered here"),
    "outside_area": N_("Outside our area"),
    "survivor_not_reached": N_("Could not reach the survivor"),
    "survivor_did_not_come": N_("The survivor did not come"),
    "survivor_refused": N_("The survivor refused"),
    "stock_out": N_("Supplies out of stock"),
    "other": N_("Other"),
}
FIELD_LABELS = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "nickname": N_("Nickname or name used"),
    "phone": N_("Phone"),
    "address": N_("Where the survivor can be found safely"),
    "date_of_birth": N_("Date of birth"),
    "age": N_("Age (years)"),
    "sex": N_("Sex"),
    "caregiver_name": N_("Caregiver's name"),
    "caregiver_phone": N_("Caregiver's phone"),
}
# One label per code of referral.sla.URGENCIES.
URGENCY_LABELS = {"normal": N_("Normal"), "high": N_("High (within 24 hours)")}
