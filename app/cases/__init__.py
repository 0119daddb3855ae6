"""Case pages and case work (registration, incidents, assessment, plan, follow-up, closure)."""
