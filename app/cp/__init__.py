"""Child protection casework (CPIMS+ practice) on the case core: the child's profile, concerns
and response clock (``profile``), best interests (``best_interests``), family tracing,
reunification and care (``tracing``, ``care``), the MRM grave violations a case documents
(``mrm``) and links between a child's GBV and CP cases (``links``). Pages in ``views`` and the
modules' own ``*_views``; every rule about who may act is asked of ``app.policy``."""

# The kind code of a child protection case (models.case.KINDS): one name for the package.
CP_KIND = "cp"
