"""Anonymized GBVIMS statistics: dashboard, API and exports (the counting is in ``gbvims/``)."""
