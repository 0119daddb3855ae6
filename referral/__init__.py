"""Referral pathways: service directory queries, the referral state machine, consent packets and
response-time rules (DESIGN.md §5). Plain Python, no Flask import."""
