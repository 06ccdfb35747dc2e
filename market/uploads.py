"""How many images each person uploads: at most `uploads_per_hour` (a setting), counted in the database so
that every app process agrees, and refused with 429 saying when the next one will be accepted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, delete
from sqlmodel import Field, Session, SQLModel, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.errors import TooManyUploads
from market.mexico import MEXICO_CITY

WINDOW = timedelta(hours=1)


class ImageUpload(SQLModel, table=True):
    """An image a person uploaded (a listing photo, a logo), kept for an hour to count towards the limit.
    A refused upload writes none."""

    __tablename__ = "image_upload"
    __table_args__ = (Index("ix_image_upload_user_id_created_at", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


def count_upload(session: Session, settings: Settings, user: User) -> None:
    """Record one more upload by `user`, or raise TooManyUploads if the last hour already has the limit.

    The person's row is locked first (PostgreSQL), and the upload is written before it is counted (on
    SQLite the write takes the database's write lock): either way two uploads at once by the same person
    are counted one after the other, so that the limit holds across processes. The caller's transaction
    (or savepoint) must be rolled back on refusal, which a raised MarketError does."""
    assert user.id is not None
    session.exec(select(User.id).where(User.id == user.id).with_for_update()).one()
    session.add(ImageUpload(user_id=user.id))
    session.flush()
    now = utcnow()
    recent = session.exec(
        select(ImageUpload.created_at)
        .where(ImageUpload.user_id == user.id, col(ImageUpload.created_at) > now - WINDOW)
        .order_by(col(ImageUpload.created_at))
    ).all()
    over = len(recent) - settings.uploads_per_hour
    if over > 0:
        # the one this upload is waiting for: when it leaves the window, one more fits
        available = recent[over - 1] + WINDOW
        raise TooManyUploads(
            limit=settings.uploads_per_hour,
            available_at=available.astimezone(MEXICO_CITY).strftime("%H:%M"),
            retry_after=max(1, int((available - now).total_seconds()) + 1),
        )


def prune_uploads(session: Session) -> int:
    """Uploads older than the window count for nothing: delete them (the worker does, hourly)."""
    result = session.execute(delete(ImageUpload).where(col(ImageUpload.created_at) <= utcnow() - WINDOW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
