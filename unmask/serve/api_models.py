"""The JSON API's bodies as pydantic models, so that the OpenAPI document (``/openapi.json``)
says exactly what each call takes and returns: an ATS or SOAR tool is written against it, and
schemathesis holds the app to it (tests/test_serve_api_fuzz.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """An error: ``detail`` is a sentence, or FastAPI's list of invalid fields."""

    detail: str | list[dict[str, Any]]


# Answers every authenticated call may give besides its own.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No session or API token, or a bad one."},
    403: {"model": Problem, "description": "The account's role may not do this, or the CSRF token is missing."},
    422: {"model": Problem, "description": "A parameter or the body is not valid."},
}
BAD_BODY: dict[int | str, dict[str, Any]] = {400: {"model": Problem, "description": "The body is not JSON."}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such subject."}}


class _DecisionBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=10_000)


class PlainDecision(_DecisionBase):
    decision: Literal["confirmed", "needs_review", "escalated"]


class _Dismissal(_DecisionBase):
    decision: Literal["dismissed"]
    reason_text: str = Field("", max_length=2000)


class HouseholdDismissal(_Dismissal):
    """The two live together: the next scan reads the pair as a declared relation."""

    reason: Literal["household"]
    confirm: bool = Field(False, description="Must be true: the relation becomes configuration the next scan "
                          "reads (without it, 422 says what it would add).")
    related: str = Field(pattern=r"^(employee|candidate):\S", max_length=200,
                         description="The other member's stable key, e.g. employee:E1309 (not the subject itself).")


class ApprovedToolDismissal(_Dismissal):
    """The remote tool is approved for this worker: the next scan allows it for them."""

    reason: Literal["approved_tool"]
    confirm: bool = Field(False, description="Must be true: the allowed tool becomes configuration the next "
                          "scan reads (without it, 422 says what it would add).")
    tool: str = Field(pattern=r"\S", max_length=200)


class OtherDismissal(_Dismissal):
    reason: Literal["rehire", "travel", "data_error", "other"]


# A decision on one subject: the store's rules written into the document (a dismissal and only a
# dismissal has a reason; "household" names the other member, "approved_tool" the tool). A plain
# union, not a discriminated one: pydantic writes a nested discriminator as a mapping to a schema,
# which OpenAPI does not allow (mapping values are references).
DecisionIn = PlainDecision | HouseholdDismissal | ApprovedToolDismissal | OtherDismissal
# A cluster's decision: no household or tool (those relate one subject), so two of the four shapes.
ClusterDecisionIn = PlainDecision | OtherDismissal


class AssignmentIn(BaseModel):
    """Give the case to a colleague (an investigator's or admin's account name); null hands it back."""

    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(max_length=64)
