"""Routing: which municipality (kommun) receives an application, by folkbokföring code."""
