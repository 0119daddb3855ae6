"""Importing this module registers every child protection page on the ``cp`` blueprint."""

from . import family_views, record_views, views
from .views import bp

__all__ = ["bp", "family_views", "record_views", "views"]
