"""`vanban fix-encoding`: a copy of the workbook with legacy TCVN3/VNI text turned into Unicode."""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from generator.errors import Loc
from generator.text import legacy
from generator.text.hygiene import LEGACY_CONFIDENCE, SUSPICION_CONFIDENCE
from generator.workbook.annotate import load_for_copy
from generator.workbook.reader import open_workbook

UNICODE_FONT = "Times New Roman"


@dataclass(frozen=True)
class Change:
    """One cell of the copy that differs from the original, and why."""

    loc: Loc
    before: str
    after: str
    reason: str
    applied: bool = True  # False: only a suspicion, left for the clerk to decide


def fix_encoding(source: Path) -> tuple[openpyxl.Workbook, list[Change]]:
    """A copy of `source` with every legacy-encoded cell converted, and the list of changes.

    Cells the detector is sure about are converted (and their font set to Times New Roman,
    since a legacy font would draw Unicode wrongly); weaker suspicions are listed but left as
    they are; text only in decomposed Unicode is normalised to NFC. The caller saves the copy
    elsewhere (never over `source`).
    """
    open_workbook(source)  # the same clear message as `vanban check` for a file that is not a workbook
    wb = load_for_copy(source)
    changes: list[Change] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                change = _fix_cell(ws.title, cell)
                if change is not None:
                    changes.append(change)
    return wb, changes


def _fix_cell(sheet: str, cell: Any) -> Change | None:
    text = cell.value
    if not isinstance(text, str) or text.startswith("="):
        return None
    loc = Loc(sheet, cell.coordinate)
    font = cell.font.name if cell.font else None
    detection = legacy.detect(text, font)
    if (detection.encoding is not None and detection.converted is not None
            and detection.confidence > SUSPICION_CONFIDENCE):
        if detection.confidence < LEGACY_CONFIDENCE:
            return Change(loc, text, detection.converted, detection.reason, applied=False)
        cell.value = detection.converted
        _unicode_font(cell)
        return Change(loc, text, detection.converted, detection.reason)
    if (font or "").strip().lower().startswith((".vn", "vni")):
        _unicode_font(cell)
        normal = unicodedata.normalize("NFC", text)
        cell.value = normal
        return Change(loc, text, normal, f"nội dung đã là Unicode; đổi phông «{font}» sang {UNICODE_FONT}")
    normal = unicodedata.normalize("NFC", text)
    if normal != text:
        cell.value = normal
        return Change(loc, text, normal, "chuẩn hóa Unicode tổ hợp (NFD) sang dựng sẵn (NFC)")
    return None


def _unicode_font(cell: Any) -> None:
    font = copy.copy(cell.font)
    font.name = UNICODE_FONT
    cell.font = font
