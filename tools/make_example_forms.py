"""Fill generated report forms the way agencies fill them, for examples, tests and the bench.

`python tools/make_example_forms.py` builds the 2018 forms of quý I and writes filled copies to
data/vi-du-bao-cao/quy-1/: most typed plainly, some with Track Changes on, in several runs and
paragraphs, with a comment, a row added, a note merged over two rows, statuses spelled "HT",
"Đã hoàn thành", "hoàn thành 100%" or without diacritics; some saved after the deadline; two
agencies send nothing. Each form's "saved" date (docProps/core.xml) says when the agency saved it.

The functions below are also the tests' way of filling forms (tests/test_collect*.py).
"""

from __future__ import annotations

import argparse
import copy
import io
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.text import vn  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EXAMPLES = ROOT / "data" / "vi-du-bao-cao"
WORKBOOK = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"


# -- finding things in a form ---------------------------------------------------------------


def task_table(doc):
    for table in doc.tables:
        heads = " ".join(c.text for c in table.rows[0].cells)
        if "Mức độ hoàn thành" in heads:
            return table
    raise LookupError("no task table")


def target_table(doc):
    for table in doc.tables:
        heads = " ".join(c.text for c in table.rows[0].cells)
        if "Kết quả đạt được" in heads:
            return table
    return None


def task_codes(doc) -> list[str]:
    return [row.cells[0].text.strip() for row in task_table(doc).rows[1:]
            if "." in row.cells[0].text and len(row.cells) > 3]


def task_row(doc, code: str):
    for row in task_table(doc).rows[1:]:
        if row.cells[0].text.strip() == code:
            return row
    raise LookupError(code)


# -- typing into a cell -----------------------------------------------------------------------


def _run(text: str):
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")
    rpr.append(fonts)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def type_plain(cell, text: str) -> None:
    """One run in the cell's first paragraph (inside its combo box when it has one)."""
    p = cell.paragraphs[0]._p
    content = p.find(f".//{qn('w:sdtContent')}")
    (content if content is not None else p).append(_run(text))


def type_split(cell, text: str) -> None:
    """The text over several runs, a second paragraph for its second sentence."""
    first, _, rest = text.partition(". ")
    p = cell.paragraphs[0]._p
    words = first.split(" ")
    half = max(1, len(words) // 2)
    p.append(_run(" ".join(words[:half]) + " "))
    p.append(_run(" ".join(words[half:]) + ("." if rest else "")))
    if rest:
        extra = copy.deepcopy(p)
        for r in extra.findall(qn("w:r")):
            extra.remove(r)
        extra.append(_run(rest))
        p.addnext(extra)


def type_tracked(cell, text: str, deleted: str = "Chưa có số liệu") -> None:
    """Typed with Track Changes on: the words inserted (w:ins), an earlier draft deleted (w:del)."""
    p = cell.paragraphs[0]._p
    content = p.find(f".//{qn('w:sdtContent')}")
    where = content if content is not None else p
    gone = OxmlElement("w:del")
    for attr, value in (("w:id", "901"), ("w:author", "Chuyên viên"), ("w:date", "2018-03-01T08:00:00Z")):
        gone.set(qn(attr), value)
    run = _run(deleted)
    t = run.find(qn("w:t"))
    t.tag = qn("w:delText")
    gone.append(run)
    where.append(gone)
    added = OxmlElement("w:ins")
    for attr, value in (("w:id", "902"), ("w:author", "Chuyên viên"), ("w:date", "2018-03-01T08:05:00Z")):
        added.set(qn(attr), value)
    added.append(_run(text))
    where.append(added)


def type_in_control(cell, text: str) -> None:
    """Inside a plain-text content control wrapped around the paragraph's text."""
    p = cell.paragraphs[0]._p
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    pr.append(OxmlElement("w:text"))
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    content.append(_run(text))
    sdt.append(content)
    p.append(sdt)


TYPERS: dict[str, Callable] = {"plain": type_plain, "split": type_split, "tracked": type_tracked,
                               "control": type_in_control}


def fill_row(doc, code: str, result: str, status: str, note: str = "", how: str = "plain") -> None:
    cells = task_row(doc, code).cells
    typer = TYPERS[how]
    if result:
        typer(cells[4], result)
    if status:
        (type_tracked if how == "tracked" else type_plain)(cells[5], status)
    if note:
        type_plain(cells[6], note)


def comment_on(doc, code: str, text: str) -> None:
    """A reviewer's comment on the result (comments are not part of the text)."""
    cell = task_row(doc, code).cells[4]
    runs = cell.paragraphs[0].runs
    if runs:
        doc.add_comment(runs, text=text, author="Lãnh đạo", initials="LĐ")


def add_row_after(doc, code: str, text: str) -> None:
    """A row the agency inserted under a task for more room: no code in its first cell."""
    tr = task_row(doc, code)._tr
    new = copy.deepcopy(tr)
    for t in new.iter(qn("w:t")):
        t.text = ""
    for sdt in list(new.iter(qn("w:sdt"))):
        sdt.getparent().remove(sdt)
    tr.addnext(new)
    cells = new.findall(qn("w:tc"))
    cells[4].find(qn("w:p")).append(_run(text))


def delete_row(doc, code: str) -> None:
    tr = task_row(doc, code)._tr
    tr.getparent().remove(tr)


def merge_notes(doc, first: str, second: str, note: str) -> None:
    """One note over two task rows, the note cells merged vertically (w:vMerge)."""
    for code, value in ((first, "restart"), (second, None)):
        tc = task_row(doc, code).cells[6]._tc
        pr = tc.get_or_add_tcPr()
        merge = OxmlElement("w:vMerge")
        if value:
            merge.set(qn("w:val"), value)
        pr.append(merge)
    type_plain(task_row(doc, first).cells[6], note)


def move_targets_first(doc, apart: bool = True) -> None:
    """The targets table moved above the task table, an empty paragraph between them as Word keeps
    it (pasted right against a table, Word makes the two one table, and so does LibreOffice on
    saving). `apart=False` puts them against each other: one table to Word, two in the file."""
    targets = target_table(doc)
    if targets is None:
        return
    tasks = task_table(doc)._tbl
    tasks.addprevious(targets._tbl)
    if apart:
        tasks.addprevious(OxmlElement("w:p"))


def fill_targets(doc, achieved: str) -> None:
    table = target_table(doc)
    if table is None:
        return
    for row in table.rows[1:]:
        cells = row.cells
        if len(cells) >= 4 and cells[1].text.strip() and not cells[3].text.strip():
            type_plain(cells[3], achieved)


def write_section(doc, title_start: str, text: str) -> None:
    """Prose typed into the first empty paragraph after a part title (I., IV., V., VI.)."""
    paragraphs = doc.paragraphs
    for i, p in enumerate(paragraphs):
        if p.text.startswith(title_start):
            for after in paragraphs[i + 1:]:
                if not after.text.strip():
                    after._p.append(_run(text))
                    return
            return


def saved(doc, when: datetime, by: str = "Văn thư") -> None:
    """As Word does on saving: the last-saved date (`when` on the clock in Vietnam, recorded in UTC)
    and author."""
    doc.core_properties.modified = when.replace(tzinfo=vn.VIETNAM_TIME).astimezone(UTC).replace(
        tzinfo=None)
    doc.core_properties.last_modified_by = by


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# -- the example set -----------------------------------------------------------------------

RESULTS = (
    "Đã ban hành kế hoạch triển khai, phân công cán bộ theo dõi",
    "Đã tổ chức 02 hội nghị quán triệt. Đang tổng hợp kết quả",
    "Đã rà soát 45 thủ tục hành chính, đề xuất đơn giản hóa 12 thủ tục",
    "Đang xây dựng dự thảo, dự kiến trình trong quý II",
    "Chưa triển khai do chờ hướng dẫn của Bộ",
    "Thực hiện thường xuyên theo kế hoạch",
)
DIRECTION = (
    "Đã ban hành kế hoạch cải cách hành chính năm 2018 và phân công cán bộ theo dõi.",
    "Đã tổ chức hội nghị triển khai kế hoạch, quán triệt đến toàn thể cán bộ, công chức.",
    "Lãnh đạo đơn vị trực tiếp chỉ đạo, kiểm tra việc thực hiện hằng tháng.",
)
STATUSES = {
    "done": ("Hoàn thành đúng hạn", "HT", "Đã hoàn thành", "hoàn thành 100%", "hoan thanh"),
    "late": ("Hoàn thành quá hạn",),
    "progress": ("Đang thực hiện", "dang thuc hien", "Đang triển khai"),
    "not": ("Chưa thực hiện",),
    "recurring": ("Thường xuyên", "Thực hiện thường xuyên"),
}


def fill_example(doc, code: str, rng: random.Random, deadline: datetime, late: bool,
                 style: str) -> None:
    """One agency's answers: statuses drawn with a fixed seed, spelled as agencies spell them."""
    codes = task_codes(doc)
    for i, task in enumerate(codes):
        kind = rng.choices(["done", "late", "progress", "not", "recurring"], [4, 1, 4, 1, 2])[0]
        status = rng.choice(STATUSES[kind])
        result = RESULTS[{"done": 0, "late": 2, "progress": 3, "not": 4, "recurring": 5}[kind]]
        how = {"tracked": "tracked", "split": "split", "control": "control"}.get(style, "plain") \
            if i % 2 == 0 else "plain"
        note = "Chờ kinh phí" if kind == "not" else ""
        fill_row(doc, task, result, status, note, how)
    if style == "comment" and codes:
        comment_on(doc, codes[0], "Đề nghị bổ sung số liệu cụ thể")
    if style == "added-row" and codes:
        add_row_after(doc, codes[0], "Ngoài ra, đã tập huấn cho 120 lượt cán bộ")
    if style == "merged" and len(codes) >= 2:
        merge_notes(doc, codes[0], codes[1], "Hai nhiệm vụ thực hiện cùng đợt")
    if style == "moved":
        move_targets_first(doc)
    fill_targets(doc, "Đạt")
    write_section(doc, "I.", rng.choice(DIRECTION))
    write_section(doc, "IV.", "Kinh phí cho ứng dụng công nghệ thông tin còn hạn chế.")
    write_section(doc, "V.", "Tiếp tục rà soát thủ tục hành chính, đẩy mạnh dịch vụ công trực tuyến.")
    write_section(doc, "VI.", "Đề nghị Sở Nội vụ tổ chức tập huấn nghiệp vụ CCHC.")
    day = deadline.day + (rng.randint(2, 9) if late else -rng.randint(0, 3))
    saved(doc, deadline.replace(day=max(1, day), hour=9 + rng.randint(0, 7)))


STYLES = ("plain", "tracked", "split", "control", "comment", "added-row", "merged", "moved")


def make_examples(target: Path, period_code: str = "quy-1", missing: int = 2, late: int = 4,
                  seed: int = 2018) -> list[Path]:
    """Build the 2018 forms of a period, fill all but `missing`, write them to target/."""
    from generator.pipeline import build

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        result = build(WORKBOOK, Path(tmp))
        period = next(p for p in result.plan.periods if p.code == period_code)
        deadline = datetime(period.deadline.year, period.deadline.month, period.deadline.day)
        forms = sorted((result.folder / "bao-cao" / period_code).glob("*.docx"))
        skipped = {f.name for f in rng.sample(forms, missing)}
        late_ones = {f.name for f in rng.sample([f for f in forms if f.name not in skipped], late)}
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for i, form in enumerate(forms):
            if form.name in skipped:
                continue
            doc = Document(str(form))
            fill_example(doc, form.stem.upper(), rng, deadline, form.name in late_ones,
                         STYLES[i % len(STYLES)])
            out = target / form.name
            out.write_bytes(to_bytes(doc))
            written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES / "quy-1")
    parser.add_argument("--period", default="quy-1")
    args = parser.parse_args(argv)
    for old in args.out.glob("*.docx") if args.out.is_dir() else []:
        old.unlink()
    written = make_examples(args.out, args.period)
    print(f"wrote {len(written)} filled forms to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
