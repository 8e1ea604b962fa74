"""What each problem ``type`` URI dereferences to: the code, its status and title."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from antre.api.problems import known_problems, problem_type, problems
from antre.api.schemas.common import PageQuery
from antre.core.errors import NotFound

router = Router(tags=["Problems"])


class ProblemTypeOut(Schema):
    type: str = Field(..., description="The URI that names this problem type.")
    code: str
    status: int = Field(..., description="The HTTP status it comes with.")
    title: str
    detail: str = Field(..., description="The usual explanation.")


class ProblemTypeList(Schema):
    items: list[ProblemTypeOut]
    count: int = Field(..., description="How many codes there are in all.")


def problem_type_out(code: str) -> ProblemTypeOut | None:
    for kind in known_problems():
        if kind.code == code:
            return ProblemTypeOut(
                type=problem_type(kind.code),
                code=kind.code,
                status=kind.status,
                title=str(kind.title),
                detail=str(kind.detail),
            )
    return None


@router.get(
    "",
    response={200: ProblemTypeList, **problems(422)},
    summary="List the problem codes",
    description="Every code, in alphabetical order; paginated with `limit` and `offset`.",
    operation_id="list_problem_types",
)
def list_problem_types(request: HttpRequest, page: Query[PageQuery]) -> ProblemTypeList:
    codes = sorted({kind.code for kind in known_problems()})
    every = [out for code in codes if (out := problem_type_out(code)) is not None]
    return ProblemTypeList(items=every[page.offset : page.offset + page.limit], count=len(every))


@router.get(
    "/{code}",
    response={200: ProblemTypeOut, **problems(404, 422)},
    summary="Describe a problem code",
    description="The document a problem's `type` URI points at.",
    operation_id="get_problem_type",
)
def get_problem_type(request: HttpRequest, code: str) -> ProblemTypeOut:
    out = problem_type_out(code)
    if out is None:
        raise NotFound(_("Kode masalah ini tidak dikenal."))
    return out
