"""Marking labels for translation without importing Flask-Babel.

``N_("text")`` returns the text unchanged; message extraction (``make translations``) collects
it, and the web layer translates it when it renders (``gettext(label)``).
"""


def N_(text: str) -> str:  # noqa: N802 — the conventional gettext no-op marker
    return text
