"""Effective formatting of Word paragraphs and runs, resolved as Word does through the styles."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from docx.oxml import ns
from lxml import etree

from generator.text.vn import text_width_mm

qn = functools.lru_cache(maxsize=None)(ns.qn)  # called for every property of every run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _props(el: Any, tag: str) -> bytes:
    """An element's own properties (its w:rPr or w:pPr) as bytes, b"" when it has none."""
    props = el.find(tag)
    return etree.tostring(props) if props is not None else b""


def _on(el: Any) -> bool | None:
    """The value of a toggle element such as <w:b/>: absent None, val 0/false/off False."""
    if el is None:
        return None
    return el.get(qn("w:val"), "true") not in ("0", "false", "off")


@dataclass(frozen=True)
class RunFormat:
    """What a run looks like: font of the Latin text, size in points, emphasis, colour."""

    font: str | None
    size: float | None
    bold: bool
    italic: bool
    caps: bool
    color: str | None  # hex "000000", "auto", or "theme:<name>"


@dataclass(frozen=True)
class ParaFormat:
    """Paragraph layout in twips (1 pt = 20 twips); alignment as Word writes it (both = justify)."""

    style: str  # the style's name as the user sees it in Word
    align: str
    first_line: int
    left: int
    right: int
    before: int
    after: int
    line: int
    line_rule: str


class Formats:
    """Resolves run and paragraph formatting through run → styles → docDefaults (and theme fonts)."""

    def __init__(self, document: Any) -> None:
        part = document.part
        root = part.styles.element if part._styles_part is not None else None
        self.styles: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        self.default_para = ""
        self.default_char = ""
        self.run_defaults = None
        self.para_defaults = None
        if root is not None:
            for style in root.findall(qn("w:style")):
                sid = style.get(qn("w:styleId"))
                self.styles[sid] = style
                name = style.find(qn("w:name"))
                self.names[sid] = name.get(qn("w:val")) if name is not None else sid
                if _on_attr(style.get(qn("w:default"))):
                    kind = style.get(qn("w:type"))
                    if kind == "paragraph":
                        self.default_para = sid
                    elif kind == "character":
                        self.default_char = sid
            defaults = root.find(qn("w:docDefaults"))
            if defaults is not None:
                self.run_defaults = defaults.find(f"{W}rPrDefault/{W}rPr")
                self.para_defaults = defaults.find(f"{W}pPrDefault/{W}pPr")
        self.theme_fonts = _theme_fonts(part)
        # keyed by the lxml elements themselves, which keeps their proxies (and identity) alive
        self._runs: dict[tuple[Any, Any], RunFormat] = {}
        self._paras: dict[Any, ParaFormat] = {}
        # what a format depends on: the paragraph's style and the element's own properties, so
        # the many runs and paragraphs written alike are resolved once a document
        self._runs_by_props: dict[tuple[str, bytes | None], RunFormat] = {}
        self._paras_by_props: dict[tuple[str, bytes | None], ParaFormat] = {}
        self._sids: dict[Any, str] = {}
        self._style_values: dict[str, dict[str, str]] = {}

    # -- chains ------------------------------------------------------------------------------

    def _chain(self, sid: str | None) -> list[Any]:
        """A style and its base styles, nearest first (cycles broken)."""
        chain, seen = [], set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            style = self.styles[sid]
            chain.append(style)
            based = style.find(qn("w:basedOn"))
            sid = based.get(qn("w:val")) if based is not None else None
        return chain

    def para_style_id(self, p: Any) -> str:
        cached = self._sids.get(p)
        if cached is None:
            cached = self._sids[p] = self._para_style_id(p)
        return cached

    def _para_style_id(self, p: Any) -> str:
        ppr = p.find(qn("w:pPr"))
        pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
        if pstyle is not None and pstyle.get(qn("w:val")) in self.styles:
            return pstyle.get(qn("w:val"))
        return self.default_para

    def _run_levels(self, p: Any, r: Any | None) -> list[Any]:
        """The rPr elements that may set a run's property, nearest first."""
        levels = []
        if r is not None:
            rpr = r.find(qn("w:rPr"))
            if rpr is not None:
                levels.append(rpr)
                rstyle = rpr.find(qn("w:rStyle"))
                char = rstyle.get(qn("w:val")) if rstyle is not None else self.default_char
            else:
                char = self.default_char
            levels += [s.find(qn("w:rPr")) for s in self._chain(char)]
        levels += [s.find(qn("w:rPr")) for s in self._chain(self.para_style_id(p))]
        levels.append(self.run_defaults)
        return [lv for lv in levels if lv is not None]

    def _para_levels(self, p: Any) -> list[Any]:
        levels = [p.find(qn("w:pPr"))]
        levels += [s.find(qn("w:pPr")) for s in self._chain(self.para_style_id(p))]
        levels.append(self.para_defaults)
        return [lv for lv in levels if lv is not None]

    # -- runs --------------------------------------------------------------------------------

    def run(self, p: Any, r: Any | None) -> RunFormat:
        """The effective format of run r of paragraph p (r None: the paragraph's own text style)."""
        cached = self._runs.get((p, r))
        if cached is None:
            key = (self.para_style_id(p), None if r is None else _props(r, W + "rPr"))
            cached = self._runs_by_props.get(key)
            if cached is None:
                cached = self._runs_by_props[key] = self._resolve_run(p, r)
            self._runs[(p, r)] = cached
        return cached

    def _resolve_run(self, p: Any, r: Any | None) -> RunFormat:
        levels = self._run_levels(p, r)

        def first(tag: str) -> Any:
            for level in levels:
                el = level.find(qn(tag))
                if el is not None:
                    return el
            return None

        size_el = first("w:sz")
        size = int(size_el.get(qn("w:val"))) / 2 if size_el is not None else None
        color_el = first("w:color")
        color = None
        if color_el is not None:
            theme = color_el.get(qn("w:themeColor"))
            color = f"theme:{theme}" if theme else color_el.get(qn("w:val"))
        return RunFormat(
            font=self._font(levels),
            size=size,
            bold=bool(_on(first("w:b"))),
            italic=bool(_on(first("w:i"))),
            caps=bool(_on(first("w:caps"))),
            color=color,
        )

    def _font(self, levels: list[Any]) -> str | None:
        """The font of Vietnamese text: hAnsi covers the Latin Extended letters, ascii the rest."""
        found: dict[str, str] = {}
        for slot in ("ascii", "hAnsi"):
            for level in levels:
                fonts = level.find(qn("w:rFonts"))
                if fonts is None:
                    continue
                theme = fonts.get(qn(f"w:{slot}Theme"))
                if theme:
                    found[slot] = self.theme_fonts.get(theme, theme)
                    break
                name = fonts.get(qn(f"w:{slot}"))
                if name:
                    found[slot] = name
                    break
        if found.get("ascii") and found.get("hAnsi") and found["ascii"] != found["hAnsi"]:
            return f"{found['ascii']} / {found['hAnsi']}"
        return found.get("hAnsi") or found.get("ascii")

    # -- paragraphs --------------------------------------------------------------------------

    def para(self, p: Any) -> ParaFormat:
        cached = self._paras.get(p)
        if cached is None:
            key = (self.para_style_id(p), _props(p, W + "pPr"))
            cached = self._paras_by_props.get(key)
            if cached is None:
                cached = self._paras_by_props[key] = self._resolve_para(p)
            self._paras[p] = cached
        return cached

    def _resolve_para(self, p: Any) -> ParaFormat:
        sid = self.para_style_id(p)
        values = dict(self._style_para_values(sid))
        direct = p.find(qn("w:pPr"))
        if direct is not None:
            values.update(_para_values(direct))

        def get(*keys: str, default: str = "") -> str:
            return next((values[k] for k in keys if k in values), default)

        hanging = get("ind.hanging")
        return ParaFormat(
            style=self.names.get(sid, sid),
            align=get("jc.val", default="left"),
            first_line=-int(hanging) if hanging else int(get("ind.firstLine", default="0")),
            left=int(get("ind.left", "ind.start", default="0")),
            right=int(get("ind.right", "ind.end", default="0")),
            before=int(get("spacing.before", default="0")),
            after=int(get("spacing.after", default="0")),
            line=int(get("spacing.line", default="240")),
            line_rule=get("spacing.lineRule", default="auto"),
        )

    def _style_para_values(self, sid: str) -> dict[str, str]:
        """A paragraph style's properties merged from docDefaults up through its base styles."""
        if sid in self._style_values:
            return self._style_values[sid]
        values: dict[str, str] = {}
        levels = [self.para_defaults] + [s.find(qn("w:pPr")) for s in reversed(self._chain(sid))]
        for level in levels:
            if level is not None:
                values.update(_para_values(level))
        self._style_values[sid] = values
        return values

    def has_top_border(self, p: Any) -> bool:
        """A paragraph drawn as a rule: a top border, set directly or by its style."""
        for level in self._para_levels(p):
            top = level.find(f"{W}pBdr/{W}top")
            if top is not None:
                return top.get(qn("w:val")) not in ("nil", "none")
        return False


_PARA_ATTRS = {"jc": ("val",), "ind": ("hanging", "firstLine", "left", "start", "right", "end"),
               "spacing": ("before", "after", "line", "lineRule")}


def _para_values(ppr: Any) -> dict[str, str]:
    """The layout properties one pPr sets, as "tag.attribute" → value (one pass over its children)."""
    values = {}
    for child in ppr:
        tag = child.tag.rpartition("}")[2] if isinstance(child.tag, str) else ""
        if tag in _PARA_ATTRS:
            for name in _PARA_ATTRS[tag]:
                value = child.get(qn(f"w:{name}"))
                if value is not None:
                    values[f"{tag}.{name}"] = value
        elif tag == "keepNext":
            values["keepNext"] = "1" if _on(child) else "0"
    return values


def _on_attr(value: str | None) -> bool:
    return value in ("1", "true", "on")


def _theme_fonts(part: Any) -> dict[str, str]:
    """minorHAnsi/majorHAnsi… → the typeface the theme names (Calibri in Word's default theme)."""
    fonts: dict[str, str] = {}
    for rel in part.rels.values():
        if rel.reltype.endswith("/theme") and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            for kind in ("major", "minor"):
                latin = root.find(f".//{A}{kind}Font/{A}latin")
                if latin is not None:
                    for slot in ("HAnsi", "Ascii", "Bidi", "EastAsia"):
                        fonts[f"{kind}{slot}"] = latin.get("typeface")
    return fonts


def wrapped_lines(text: str, size_pt: float, bold: bool, width_mm: float) -> list[str]:
    """The lines a paragraph wraps into in a given width (greedy, as word processors do)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        attempt = f"{current} {word}" if current else word
        if current and text_width_mm(attempt, size_pt, bold) > width_mm:
            lines.append(current)
            current = word
        else:
            current = attempt
    if current:
        lines.append(current)
    return lines
