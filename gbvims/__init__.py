"""GBVIMS: the classification tool, the Incident Recording Form's option lists, consent rules
and care windows — and, later, anonymized aggregates. Plain Python: no Flask, no keys, no
identifying column (reference: shared standards/GBVIMS.md)."""
