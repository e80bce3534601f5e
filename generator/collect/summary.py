"""The consolidated report draft (templates/summary.docx), its charts, and the reminder letter
(templates/reminder.docx), from one consolidation.

Charts are drawn with matplotlib (Agg, no date or software name in the PNG), with Vietnamese
labels in DejaVu Serif, and each is followed in the report by a table of the same numbers: the
same consolidation gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Sequence
from typing import Any

from generator.collect import status as st
from generator.collect.consolidate import Consolidation, Counts
from generator.documents.context import header_context, signer_context
from generator.text import vn

SUMMARY_TEMPLATE = "summary.docx"
REMINDER_TEMPLATE = "reminder.docx"
SUMMARY = "bao-cao-tong-hop.docx"
REMINDER = "don-doc.docx"
# the chart's series: (label, Counts attribute, colour), in the order of the report's tables
SERIES = (
    ("Hoàn thành", "done", "#2e7d32"),
    ("Đang thực hiện", "in_progress", "#f9a825"),
    ("Chưa thực hiện", "not_started", "#c62828"),
    ("Thường xuyên", "recurring", "#1565c0"),
    ("Chưa có báo cáo", "unknown", "#9e9e9e"),
)
SECTION_KEYS = ("chi_dao", "kho_khan", "phuong_huong", "de_xuat")  # forms.SECTIONS' values
RECIPIENTS = ("Bộ Nội vụ (Vụ Cải cách hành chính)", "Sở Nội vụ")
CHART_WIDTH_MM = 160
DPI = 150


def percent(value: float | None) -> str:
    """50.0 → "50,0%"; None → "–" (nothing due yet)."""
    return "–" if value is None else f"{value:.1f}".replace(".", ",") + "%"


def chart_png(labels: Sequence[str], rows: Sequence[Counts], title: str) -> bytes:
    """A horizontal stacked bar per label (areas or agencies), one colour per completion; the
    same numbers give the same bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # an agency's name on one line up to 42 letters ("Sở Nông nghiệp và Phát triển nông thôn");
    # when a longer one takes two, every bar gets the room of two lines, so labels never touch
    wrapped = ["\n".join(textwrap.wrap(label, 42)) or label for label in labels]
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    height_mm = 28 + (6.5 + 3.5 * (lines - 1)) * len(labels)
    with matplotlib.rc_context({"font.family": "serif", "font.serif": ["DejaVu Serif"],
                                "font.size": 8, "svg.hashsalt": "vanban"}):
        figure = Figure(figsize=(CHART_WIDTH_MM / 25.4, height_mm / 25.4), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        left = [0] * len(labels)
        for label, attribute, colour in SERIES:
            values = [getattr(row, attribute) for row in rows]
            bars = axes.barh(positions, values, left=left, color=colour, label=label, height=0.6)
            for bar, value in zip(bars, values, strict=True):
                if value:
                    axes.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                              str(value), ha="center", va="center", fontsize=7,
                              color="white" if colour != "#f9a825" else "black")
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, wrapped)
        axes.set_xlabel("Số nhiệm vụ")
        axes.set_title(title, fontsize=9)
        axes.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # MaxNLocator
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.legend(loc="lower center", ncols=len(SERIES), frameon=False, fontsize=7)
        figure.tight_layout(rect=(0, 0.06, 1, 1))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _chart(labels: Sequence[str], rows: Sequence[Counts], title: str) -> bytes:
    """`chart_png`, drawn once per process for the same numbers (the web page consolidates a
    period again as forms arrive; most of its charts do not change)."""
    numbers = tuple(tuple(getattr(row, attribute) for _, attribute, _ in SERIES) for row in rows)
    return _drawn(tuple(labels), numbers, title)


@functools.lru_cache(maxsize=32)
def _drawn(labels: tuple[str, ...], numbers: tuple[tuple[int, ...], ...], title: str) -> bytes:
    rows = [Counts(**dict(zip((attribute for _, attribute, _ in SERIES), values, strict=True)))
            for values in numbers]
    return chart_png(labels, rows, title)


def _clean(text: str) -> str:
    return vn.strip_controls(text)[0].strip()


def _short(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip(" ,;.") + "…"


def _count_row(c: Counts) -> dict[str, Any]:
    return {"total": c.total, "done": c.done, "in_progress": c.in_progress,
            "not_started": c.not_started, "recurring": c.recurring, "unknown": c.unknown,
            "rate": percent(c.rate)}


def _reporter(result: Consolidation) -> str:
    issued_by = result.plan.general.issued_by
    return issued_by.removeprefix("Chủ tịch ").strip() or issued_by


def chart_data(result: Consolidation) -> dict[str, tuple[list[str], list[Counts]]]:
    """The numbers of each chart, by context name (the tests compare them with the tables)."""
    return {
        "chart_areas": ([f"{number}. {name}" for number, name, _ in result.areas],
                        [c for _, _, c in result.areas]),
        "chart_agencies": ([a.agency.name for a in result.agencies], [a.counts for a in result.agencies]),
    }


CHART_TITLES = {"chart_areas": "Tiến độ thực hiện nhiệm vụ theo lĩnh vực",
                "chart_agencies": "Nhiệm vụ chủ trì theo cơ quan, đơn vị"}


def summary_context(result: Consolidation, template: Any, pictures: bool = True) -> dict[str, Any]:
    """Context of templates/summary.docx; `template` is the prepared template the pictures go in
    (without `pictures`, the charts are not drawn: for listing the names only)."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    plan, period, total = result.plan, result.period, result.total
    g = plan.general
    names = {a.code: a.name for a in plan.agencies}
    expected = [a for a in plan.agencies if a.reports]
    year = period.deadline.year
    charts = {name: InlineImage(template, io.BytesIO(_chart(labels, rows, CHART_TITLES[name])),
                                width=Mm(CHART_WIDTH_MM)) if pictures else ""
              for name, (labels, rows) in chart_data(result).items()}
    areas = []
    for index, (number, name, counts) in enumerate(result.areas, start=1):
        tasks = []
        for task in (t for t in result.tasks if t.info.area == number):
            tasks.append({
                "code": task.info.code, "text": _short(task.info.text),
                "status": st.LABELS[task.completion],
                "timeliness": st.LABELS[task.timeliness] if task.completion != st.RECURRING else "",
                "leads": _leads(task.info, names),
                "result": _lead_results(task, names),
            })
        areas.append({"letter": vn.letter(index), "number": number, "name": name,
                      "sentence": _area_sentence(counts), "tasks": tasks})
    disagreements = []
    for task in result.tasks:
        if not task.disagreements:
            continue
        said: dict[str, int] = {}
        for record in task.disagreements:
            said[record.completion] = said.get(record.completion, 0) + 1
        listed = ", ".join(f"{st.LABELS[c]}: {n}" for c, n in sorted(said.items(), key=lambda x: -x[1]))
        who = names.get(task.disagreements[0].agency, "") if len(task.disagreements) == 1 \
            else f"{len(task.disagreements)} cơ quan"
        disagreements.append(f"{task.info.code} (kết luận theo cơ quan chủ trì: "
                             f"{st.LABELS[task.completion]}): {who} đánh giá khác ({listed})")
    sections = {key: [{"agency": names.get(code, code), "text": _clean(text)} for code, text in items]
                for key, items in result.sections.items()}
    late = [names.get(c, c) for c in result.late]
    missing = [names.get(c, c) for c in result.missing]
    symbol = g.symbol.split("-", 1)[-1] if "-" in g.symbol else g.symbol
    return {
        **header_context(plan),
        **charts,
        "number_line": vn.number_symbol(None, f"BC-{symbol}"),
        "date_line": vn.date_words(None, year),
        "summary": period.summary,
        "summary_in_sentence": vn.lower_first(period.summary),
        "data_from": vn.date_short(period.data_from) if period.data_from else "",
        "data_to": vn.date_short(result.window.last),
        "plan_title_in_sentence": vn.lower_first(g.plan_title),
        "decision_number_line": vn.number_symbol(g.number, g.symbol),
        "decision_date_line": vn.date_words(g.issue_date, g.year),
        "issued_by": g.issued_by,
        "reporter": _reporter(result),
        "received_count": len(result.received),
        "expected_count": len(expected),
        "overview": _overview(result),
        "area_rows": [{"number": number, "name": name, **_count_row(c)} for number, name, c in result.areas],
        "plan": _count_row(total),
        "areas": areas,
        "disagreements": disagreements,
        "targets": _targets(result, names),
        "receipt_sentence": _receipt_sentence(result, len(expected)),
        "late_names": ", ".join(late),
        "missing_names": ", ".join(missing),
        "agency_rows": [{"number": i, "name": a.agency.name, **_count_row(a.counts),
                         "receipt": "chưa gửi" if a.receipt is None
                         else ("trễ hạn" if a.receipt.late else "đúng hạn")}
                        for i, a in enumerate(result.agencies, start=1)],
        "sections": {key: sections.get(key, []) for key in SECTION_KEYS},
        "recipients": [{"text": text, "copies": None, "copies_text": ""} for text in RECIPIENTS],
        "archive_unit": "",
        "drafter": "",
        "copies": "",
        "archive_copies_text": "",
        "signer": signer_context(g.signer),
    }


def _targets(result: Consolidation, names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per target of the plan: what the agencies reported, the same answers counted."""
    rows: dict[tuple[str, str], dict[str, list[str]]] = {}
    for target in result.targets:
        key = (_clean(target["text"]), _clean(target["value"]))
        achieved = _clean(target["achieved"]) or "chưa báo cáo"
        agency = names.get(target["agency"], target["agency"])
        rows.setdefault(key, {}).setdefault(achieved, []).append(agency)
    out = []
    for number, ((text, value), answers) in enumerate(rows.items(), start=1):
        agencies = sum(len(v) for v in answers.values())
        parts = [f"{answer}: {len(who)} cơ quan" if len(who) > 2 else f"{answer}: {', '.join(who)}"
                 for answer, who in sorted(answers.items(), key=lambda x: -len(x[1]))]
        out.append({"number": number, "text": text, "value": value, "agency": str(agencies),
                    "achieved": "; ".join(parts)})
    return out


MANY_LEADS = 3  # above this many lead agencies, a task's results are counted, not quoted


def _leads(info: Any, names: dict[str, str]) -> str:
    if len(info.leads) > MANY_LEADS:
        return f"{_short(info.lead_text, 80)} ({len(info.leads)} cơ quan)"
    return ", ".join(names.get(c, c) for c in info.leads) or _short(info.lead_text, 80) or "chưa xác định"


def _lead_results(task: Any, names: dict[str, str]) -> str:
    """The lead's own words; with several leads each named; with many, how many said what."""
    leads = [r for r in task.records if r.role == "lead"]
    if len(task.info.leads) > MANY_LEADS:
        counts: dict[str, int] = {}
        for record in leads:
            counts[record.completion] = counts.get(record.completion, 0) + 1
        unanswered = len(task.info.leads) - len([r for r in leads if r.answer is not None])
        parts = [f"{n} {st.LABELS[c]}" for c, n in sorted(counts.items(), key=lambda x: -x[1])
                 if c != st.UNKNOWN]
        if unanswered:
            parts.append(f"{unanswered} chưa có báo cáo")
        return f"{len(task.info.leads)} cơ quan chủ trì: " + ", ".join(parts)
    quoted = [r for r in leads if r.result.strip()]
    if len(task.info.leads) > 1:
        return "; ".join(f"{names.get(r.agency, r.agency)}: {_short(_clean(r.result), 300)}" for r in quoted)
    return "; ".join(_short(_clean(r.result), 300) for r in quoted)


def _overview(result: Consolidation) -> str:
    c = result.total
    until = vn.date_short(result.window.last)
    parts = [f"Kế hoạch có {c.total} nhiệm vụ."]
    if c.due:
        parts.append(f"Đến hết ngày {until}, {c.due} nhiệm vụ đến hạn, đã hoàn thành {c.done_due} nhiệm vụ, "
                     f"đạt {percent(c.rate)}; {c.overdue} nhiệm vụ đến hạn chưa hoàn thành (quá hạn).")
    else:
        parts.append(f"Đến hết ngày {until}, chưa có nhiệm vụ nào đến hạn.")
    parts.append(f"Tính trên tổng số nhiệm vụ, đã hoàn thành {c.done}/{c.total} nhiệm vụ, đạt "
                 f"{percent(c.rate_all)} (đúng hạn: {c.done_on_time}, quá hạn: {c.done_late}); đang thực "
                 f"hiện {c.in_progress}; chưa thực hiện {c.not_started}; thực hiện thường xuyên "
                 f"{c.recurring}; chưa có báo cáo của cơ quan chủ trì {c.unknown}.")
    return " ".join(parts)


def _area_sentence(c: Counts) -> str:
    due = f"{c.due} nhiệm vụ đến hạn, hoàn thành {c.done_due} ({percent(c.rate)}); " if c.due else ""
    return (f"{c.total} nhiệm vụ; {due}hoàn thành {c.done}/{c.total} ({percent(c.rate_all)}), đang thực "
            f"hiện {c.in_progress}, chưa thực hiện {c.not_started}, thường xuyên {c.recurring}, chưa có "
            f"báo cáo {c.unknown}.")


def _receipt_sentence(result: Consolidation, expected: int) -> str:
    deadline = vn.date_short(result.period.deadline)
    return (f"{len(result.received)}/{expected} cơ quan, đơn vị đã gửi báo cáo; {len(result.late)} cơ quan, "
            f"đơn vị gửi trễ hạn (sau ngày {deadline}); {len(result.missing)} cơ quan, đơn vị chưa gửi "
            "báo cáo.")


def reminder_context(result: Consolidation) -> dict[str, Any]:
    """Context of templates/reminder.docx: to every reporting agency that has sent nothing."""
    plan, period = result.plan, result.period
    g = plan.general
    names = {a.code: a.name for a in plan.agencies}
    symbol = g.symbol.split("-", 1)[-1] if "-" in g.symbol else g.symbol
    return {
        **header_context(plan),
        "number_line": vn.number_symbol(None, symbol),
        "date_line": vn.date_words(None, period.deadline.year),
        "year": period.deadline.year,
        "summary_in_sentence": vn.lower_first(period.summary),
        "agencies": [names.get(code, code) for code in result.missing],
        "missing_count": len(result.missing),
        "plan_title_in_sentence": vn.lower_first(g.plan_title),
        "decision_number_line": vn.number_symbol(g.number, g.symbol),
        "decision_date_line": vn.date_words(g.issue_date, g.year),
        "issued_by": g.issued_by,
        "period_name": period.name,
        "report_to": g.report_to or _reporter(result),
        "deadline": vn.date_short(period.deadline),
        "signer": signer_context(g.signer),
    }
