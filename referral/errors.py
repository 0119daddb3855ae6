"""Domain errors of referral pathways (mapped to HTTP once, by the app)."""


class ReferralError(Exception):
    """Base class."""


class IllegalTransition(ReferralError):
    """The referral cannot go from its state by this event (409)."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"{event} is not possible from {state}")
        self.state = state
        self.event = event


class ReasonRequired(ReferralError):
    """Declining or reporting a service not delivered needs a reason (422)."""


class ConsentMissing(ReferralError):
    """The survivor did not consent to share this with this service area (409/422)."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields
