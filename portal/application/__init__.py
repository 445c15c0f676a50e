"""The application for ekonomiskt bistånd: draft, household from folkbokföring, submission."""
