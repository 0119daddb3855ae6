"""Admin pages: users, agencies, the service directory, the audit log."""
