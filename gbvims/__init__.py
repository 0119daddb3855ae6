"""GBVIMS: the classification tool, the Incident Recording Form's option lists, consent rules
and care windows, anonymized aggregates and disclosure control. Plain Python: no Flask, no keys, no
identifying column (the rules: docs/gbvims.md)."""
