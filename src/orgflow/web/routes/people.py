"""``GET /people/search``: the suggestions a people field offers as one types (see ``orgflow.web.people``).

Anyone signed in may ask: the lists on the work item and instance pages show
the same names and ids. At most :data:`~orgflow.web.people.SEARCH_LIMIT` active
people come back, those matching exactly first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from orgflow.web.people import person_label, search_people
from orgflow.web.rendering import SignedInPage

router = APIRouter(include_in_schema=False)


@router.get("/people/search")
def people_search(page: SignedInPage, q: Annotated[str, Query(max_length=100)] = "") -> JSONResponse:
    """People whose name or id contains ``q``: ``[{"value": id, "label": "姓名（账号） · 部门"}, …]``."""
    answers = []
    for user in search_people(page.org, q):
        department = page.department_name(user.primary_department)
        label = f"{person_label(user)} · {department}" if department else person_label(user)
        answers.append({"value": user.id, "label": label})
    return JSONResponse(answers)
