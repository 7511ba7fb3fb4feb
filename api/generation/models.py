"""The workers an administrator chose at run time, kept across restarts (one row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped, mapped_column

from api.core.database import Base, utcnow


class WorkerConfig(Base):
    """Worker URLs and their keys, in order; the keys are never logged nor returned."""

    __tablename__ = "worker_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    urls: Mapped[list[Any]]
    api_keys: Mapped[list[Any]]
    updated_by: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
