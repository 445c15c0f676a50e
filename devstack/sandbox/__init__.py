"""The sandbox provider service (a separate WSGI app): answers as the agencies do for the test
persons, with fault injection. See ``devstack/testdata/README.md`` for the fixture and fault
rule formats."""

from .app import create_sandbox_app

__all__ = ["create_sandbox_app"]
