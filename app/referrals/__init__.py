"""Referral pages and services (the rules themselves live in the ``referral`` package)."""
