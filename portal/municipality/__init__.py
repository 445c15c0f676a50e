"""The municipality side: the built-in inbox for caseworkers, and the administrator's view."""
