"""Attachments: files (PDF, JPEG, PNG) that an applicant adds to an application.

- ``validation``: decides what a file is from its content and refuses what may not be kept.
- ``storage``: where the bytes live, addressed by an opaque key (local directory by default).
- ``models``: the ``attachment`` table (metadata only, never the bytes).
- ``services``: add, remove and list an application's attachments.

Nothing here serves a file: the caller checks that the person may see the application first.
"""
