"""FastAPI dependencies shared by every router, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.core.config import Settings
from api.core.database import Database
from api.generation.dispatcher import Dispatcher


async def get_database(request: Request) -> Database:
    """The database built in the lifespan."""
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]


async def get_dispatcher(request: Request) -> Dispatcher:
    """The generation dispatcher started in the lifespan."""
    dispatcher: Dispatcher = request.app.state.dispatcher
    return dispatcher


DispatcherDep = Annotated[Dispatcher, Depends(get_dispatcher)]


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
