"""Importing this module registers every child protection page on the ``cp`` blueprint."""

from . import views
from .views import bp

__all__ = ["bp", "views"]
