"""Shared web parts: security headers, htmx helper, error pages, template globals."""
