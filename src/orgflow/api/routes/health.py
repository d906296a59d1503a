"""Liveness: answers without credentials, and says whether the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from orgflow.api.dependencies import RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["服务"])


class Health(BaseModel):
    """The service is up; ``database`` is ``ok`` when a query answered."""

    status: str
    database: str


@router.get("/health", summary="服务状态", response_model=Health)
def health(runtime: RuntimeDep) -> Health:
    """Up, and the database answers (one ``SELECT 1``, not a real query: it is polled often)."""
    runtime.database.ping()
    return Health(status="ok", database=runtime.database.dialect)
