"""An attachment's metadata. The bytes are in the storage under ``storage_key``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

import portal.case.models  # noqa: F401  (the message and request an attachment may belong to)
from portal.db import Base, UTCDateTime, new_id, utcnow

# Who uploaded a file: a citizen (the applicant's side) or the municipality (a caseworker in the
# built-in inbox, or a municipality's system through the API), never both, never neither.
UPLOADER = (
    "(uploaded_by_person_id IS NOT NULL AND uploaded_by_staff IS NULL)"
    " OR (uploaded_by_person_id IS NULL AND uploaded_by_staff IS NOT NULL)"
)


class Attachment(Base):
    """A file added to an application: a PDF, JPEG or PNG, checked by its content.
    ``original_name`` is the user's cleaned file name, shown only; it is never a path.
    The applicant's side adds files to the application, its answers and messages; the
    municipality only to its messages (``uploaded_by_staff``), never to the application's document."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("kind IN ('pdf', 'jpeg', 'png')", name="kind"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint(UPLOADER, name="uploader"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    uploaded_by_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    # The caseworker's name or the API client's name, for a file the municipality sent.
    uploaded_by_staff: Mapped[str | None] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The fetched item this file documents. Items are deleted when a consent is revoked or a
    # fetch is redone, so the link is cleared rather than blocking that delete.
    linked_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_item.id", ondelete="SET NULL"), index=True
    )
    # A cost the applicant states; no table yet, so no foreign key.
    linked_cost_id: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    # Sent after submission: with a message, or as part of an answer to a supplement request.
    message_id: Mapped[str | None] = mapped_column(ForeignKey("case_message.id"), index=True)
    request_id: Mapped[str | None] = mapped_column(ForeignKey("supplement_request.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def from_municipality(self) -> bool:
        return self.uploaded_by_staff is not None

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpeg", "png")
