"""Checks on the typed plan, beyond what reading the cells already found."""

from __future__ import annotations

from generator.agencies import agency_problems
from generator.errors import ERROR, WARNING, Problem
from generator.model import Plan


def check_plan(plan: Plan) -> list[Problem]:
    """Every problem of a plan that was read without type errors."""
    problems: list[Problem] = []
    g = plan.general
    if not plan.articles:
        problems.append(Problem(ERROR, None, "Sheet “Điều” chưa có Điều nào.", code="no-articles"))
    if not plan.tasks:
        problems.append(Problem(ERROR, None, "Sheet “Nhiệm vụ” chưa có nhiệm vụ nào.",
                                code="no-tasks"))
    if g.issue_date and g.issue_date.year not in (g.year - 1, g.year):
        problems.append(Problem(
            WARNING, g.loc("issue_date"), "Ngày ban hành không thuộc năm kế hoạch hoặc năm trước.",
            found=str(g.issue_date), expected=f"năm {g.year - 1} hoặc {g.year}",
            code="issue-date-year",
        ))
    problems += agency_problems(plan)
    return problems
