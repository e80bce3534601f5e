"""Template tags as Word leaves them: split runs, smart quotes, unbalanced blocks, unknown names.

`inspect` reads a template (a python-docx Document) and reports each problem with the paragraph
or table cell it is in. Tags that Word split across runs (spell-check marks, a letter typed in
bold) are joined into their first run when nothing but text lies between: the rendered text is
the same, so that repair is a warning. Everything else is an error: rendering would fail or,
worse, print the wrong thing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jinja2
from docx.oxml.ns import qn
from jinja2 import meta

from generator.errors import ERROR, WARNING, Loc, Problem, Severity

TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
SMART = "“”‘’„‟‚‛«»"
# docxtpl's pseudo-tags are handled before Jinja sees the template
DOCXTPL_ONLY = {"colspan", "cellbg", "vm", "hm"}
# Jinja's block statements and what closes each: the one list the tag check (here) and the engine's
# proof that a table's rows stay whole (engine._balanced) both use.
OPENERS = {"for": "endfor", "if": "endif", "with": "endwith", "macro": "endmacro",
           "filter": "endfilter", "call": "endcall", "raw": "endraw", "block": "endblock",
           "autoescape": "endautoescape", "trans": "endtrans"}
MIDDLES = {"elif": "if", "else": ("if", "for")}


@dataclass(frozen=True)
class TagIssue:
    """One problem of a template's tags, at a paragraph or a table cell."""

    place: str
    message: str
    severity: Severity = ERROR
    code: str = "tag.syntax"
    found: str = ""

    def problem(self, template: str) -> Problem:
        # Problem.render joins its parts with "; ": no full stop before them
        message = self.message[:-1] if self.message.endswith(".") else self.message
        return Problem(self.severity, Loc(f"mẫu {template}, {self.place}"), message,
                       found=self.found, code=self.code)


@dataclass
class TagReport:
    issues: list[TagIssue] = field(default_factory=list)
    # the names the tags use without defining them (what a context must give), when they all parse
    names: frozenset[str] | None = None

    @property
    def errors(self) -> list[TagIssue]:
        return [i for i in self.issues if i.severity == ERROR]


@dataclass
class _Tag:
    text: str
    place: str


def _words(text: str, n: int = 7) -> str:
    words = text.split()
    return "«" + " ".join(words[:n]) + ("…»" if len(words) > n else "»")


def _paragraphs(document: Any) -> Iterator[tuple[Any, str]]:
    """Every paragraph of the body, tables, headers and footers with a place a person can find."""
    number = 0
    tables = 0
    for child in document.element.body:
        if child.tag == qn("w:p"):
            number += 1
            yield child, f"đoạn {number} {_words(_text(child))}"
        elif child.tag == qn("w:tbl"):
            tables += 1
            for r, tr in enumerate(child.findall(qn("w:tr")), start=1):
                for c, tc in enumerate(tr.findall(qn("w:tc")), start=1):
                    for p in tc.iter(qn("w:p")):
                        yield p, f"bảng {tables}, dòng {r}, ô {c} {_words(_text(p))}"
    seen: set[int] = set()
    for i, section in enumerate(document.sections, start=1):
        parts = [("đầu trang", section.header), ("chân trang", section.footer)]
        if section.different_first_page_header_footer:
            parts += [("đầu trang đầu", section.first_page_header),
                      ("chân trang đầu", section.first_page_footer)]
        for name, part in parts:
            # a section without its own header or footer has none to inspect; asking python-docx
            # for its element would add an empty part in memory, which the rendered package
            # would then reference without carrying it
            if part.is_linked_to_previous:
                continue
            el = part._element
            if id(el) in seen:
                continue
            seen.add(id(el))
            for p in el.iter(qn("w:p")):
                yield p, f"{name} section {i} {_words(_text(p))}"


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _repair_split(p: Any, start: int, end: int) -> bool:
    """Move the text of one tag into its first w:t; False when more than text lies between."""
    pieces = []  # (w:t element, its start offset in the paragraph text)
    offset = 0
    for t in p.iter(qn("w:t")):
        length = len(t.text or "")
        if offset + length > start and offset < end:
            pieces.append((t, offset))
        offset += length
    if len(pieces) < 2:
        return True
    runs = [t.getparent() for t, _ in pieces]
    first_run, last_run = runs[0], runs[-1]
    # nothing but text may sit in the runs between: a field, picture, tab or break changes meaning
    siblings = list(first_run.itersiblings())
    if last_run not in siblings and last_run is not first_run:
        return False
    between = [first_run] + siblings[: siblings.index(last_run) + 1] if last_run is not first_run \
        else [first_run]
    for el in between:
        if el.tag in (qn("w:proofErr"), qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
            continue
        if el.tag != qn("w:r"):
            return False
        for child in el:
            if child.tag not in (qn("w:rPr"), qn("w:t")):
                return False
    tag_text = ""
    for t, at in pieces:
        text = t.text or ""
        lo, hi = max(start - at, 0), min(end - at, len(text))
        tag_text += text[lo:hi]
        if t is not pieces[0][0]:
            t.text = text[:lo] + text[hi:]
    first, at = pieces[0]
    text = first.text or ""
    lo = start - at
    first.text = text[:lo] + tag_text
    first.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return True


def _split_runs(p: Any, start: int, end: int) -> int:
    offset, count = 0, 0
    for t in p.iter(qn("w:t")):
        length = len(t.text or "")
        if length and offset + length > start and offset < end:
            count += 1
        offset += length
    return count


def _mangled(tag: str) -> str | None:
    """What autocorrect or a stray keystroke did to a tag, said for the clerk; None if clean."""
    inner = tag[2:-2]
    if any(q in inner for q in SMART):
        return ("Thẻ có dấu nháy cong (“ ” ‘ ’) do Word tự sửa; gõ lại bằng dấu nháy thẳng "
                "(\" hoặc ') hoặc tắt AutoCorrect «Straight quotes with smart quotes».")
    if spaced := re.match(r"\{%-?\s+(p|tr|tc|r)\s", tag):
        kind = spaced.group(1)
        return f"«{{% {kind}» phải viết liền thành «{{%{kind}»."
    if any(ch in inner for ch in "–—…"):
        return "Thẻ có dấu gạch dài hoặc dấu ba chấm do Word tự sửa; gõ lại bằng ký tự thường."
    return None


def _jinja_source(tag: str) -> str:
    """The tag as Jinja reads it after docxtpl: `{%p if x %}` → `{% if x %}`."""
    tag = re.sub(r"^\{%-?(p|tr|tc|r)\s", "{% ", tag)
    tag = re.sub(r"^\{\{(p|r)\s", "{{ ", tag)
    return tag


def _statement(tag: str) -> str:
    match = re.match(r"\{%-?\s*(?:(?:p|tr|tc|r)\s+)?([a-z]+)", tag)
    return match.group(1) if match else ""


def inspect(document: Any, template: str, known: Iterable[str] | None = None,
            repair: bool = True) -> TagReport:
    """Find every tag problem of a template; with repair, split tags are joined in memory."""
    report = TagReport()
    tags: list[_Tag] = []
    for p, place in _paragraphs(document):
        text = _text(p)
        if "{" not in text and "}" not in text:
            continue
        for bad in re.finditer(r"\{\s+[{%]|[%}]\s+\}", text):
            report.issues.append(TagIssue(place, f"Thẻ viết sai «{bad.group()}»: hai ký tự mở hoặc "
                                          "đóng thẻ phải viết liền ({{ }} hoặc {% %}).",
                                          code="tag.mangled", found=bad.group()))
        for match in TAG_RE.finditer(text):
            tag = match.group()
            problem = _mangled(tag)
            if problem:
                report.issues.append(TagIssue(place, problem, code="tag.mangled", found=tag))
                continue
            pieces = _split_runs(p, match.start(), match.end())
            if pieces > 1:
                if repair and _repair_split(p, match.start(), match.end()):
                    report.issues.append(TagIssue(
                        place, f"Thẻ bị Word tách thành {pieces} đoạn định dạng khác nhau; đã ghép "
                        "lại khi tạo văn bản (theo định dạng ký tự đầu). Nên xóa và gõ lại cả thẻ "
                        "một lần.", WARNING, "tag.split", tag))
                elif repair:
                    report.issues.append(TagIssue(
                        place, "Thẻ bị tách qua trường, hình hoặc ngắt dòng; không ghép được. Gõ "
                        "lại cả thẻ liền một lần.", ERROR, "tag.split", tag))
                else:
                    report.issues.append(TagIssue(
                        place, f"Thẻ bị Word tách thành {pieces} đoạn định dạng khác nhau; nên xóa "
                        "và gõ lại cả thẻ một lần.", WARNING, "tag.split", tag))
            if tag.startswith("{#"):
                continue
            tags.append(_Tag(tag, place))
        rest = TAG_RE.sub("", text)
        for opener in re.findall(r"\{\{|\{%", rest):
            report.issues.append(TagIssue(place, f"Thẻ mở «{opener}» không có dấu đóng "
                                          f"«{'}}' if opener == '{{' else '%}'}».",
                                          code="tag.unclosed", found=text.strip()[:80]))
    balanced = _check_blocks(tags, report)
    if balanced:
        _check_names(tags, known, report)
    return report


def _check_blocks(tags: list[_Tag], report: TagReport) -> bool:
    """for/endfor, if/endif… in order; every problem at the tag's own place."""
    stack: list[tuple[str, _Tag]] = []
    ok = True
    for tag in tags:
        if not tag.text.startswith("{%"):
            continue
        name = _statement(tag.text)
        if name in DOCXTPL_ONLY:
            continue
        if name in OPENERS:
            stack.append((name, tag))
        elif name in MIDDLES:
            parents = MIDDLES[name]
            if not stack or stack[-1][0] not in (parents if isinstance(parents, tuple) else
                                                 (parents,)):
                report.issues.append(TagIssue(tag.place, f"«{tag.text}» không nằm trong khối "
                                              "{% if %} nào.", code="tag.block", found=tag.text))
                ok = False
        elif name.startswith("end"):
            if stack and OPENERS[stack[-1][0]] == name:
                stack.pop()
                continue
            ok = False
            if any(OPENERS[opened] == name for opened, _ in stack):
                opened, opener = stack.pop()
                report.issues.append(TagIssue(
                    opener.place, f"Thiếu «{{% {OPENERS[opened]} %}}» cho «{opener.text}» "
                    f"(gặp «{tag.text}» trước).", code="tag.block", found=opener.text))
                while stack and OPENERS[stack[-1][0]] != name:
                    stack.pop()
                if stack:
                    stack.pop()
            else:
                report.issues.append(TagIssue(tag.place, f"«{tag.text}» thừa: không có khối "
                                              "mở tương ứng.", code="tag.block", found=tag.text))
    for opened, opener in stack:
        ok = False
        report.issues.append(TagIssue(opener.place, f"Thiếu «{{% {OPENERS[opened]} %}}» cho "
                                      f"«{opener.text}».", code="tag.block", found=opener.text))
    return ok


def _check_names(tags: list[_Tag], known: Iterable[str] | None, report: TagReport) -> None:
    """Jinja syntax of every tag, then names that the context of this template does not give."""
    env = jinja2.Environment()
    usable = [t for t in tags if _statement(t.text) not in DOCXTPL_ONLY]
    source = "\n".join(_jinja_source(t.text) for t in usable)
    try:
        ast = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        for tag in usable:  # each expression on its own, so the error has its place
            if tag.text.startswith("{{"):
                try:
                    env.parse(_jinja_source(tag.text))
                except jinja2.TemplateSyntaxError as own:
                    report.issues.append(TagIssue(tag.place, f"Thẻ viết sai: {own.message}",
                                                  code="tag.syntax", found=tag.text))
                    return
        culprit = usable[min(max(exc.lineno - 1, 0), len(usable) - 1)] if usable else None
        report.issues.append(TagIssue(culprit.place if culprit else "mẫu", f"Thẻ viết sai: {exc.message}",
                                      code="tag.syntax", found=culprit.text if culprit else ""))
        return
    report.names = frozenset(meta.find_undeclared_variables(ast))
    if known is None:
        return
    known = set(known)
    for name in sorted(report.names - known):
        where = next((t for t in usable if re.search(rf"(?<![.\w]){re.escape(name)}\b", t.text)),
                     None)
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" Có phải “{close[0]}”?" if close else ""
        at = f" ở thẻ {where.text}" if where else ""
        report.issues.append(TagIssue(
            where.place if where else "mẫu",
            f"Biến “{name}”{at} không có trong dữ liệu của mẫu này (xem docs/templates.md).{hint}",
            code="tag.unknown", found=where.text if where else name))
