from . import casework_views  # noqa: F401 — its routes attach to bp
from .views import bp

__all__ = ["bp"]
