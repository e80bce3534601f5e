"""The tokenizer in front of the C pass (`scan` in generator/collect/_fastdocx.c) reads the XML
Word and LibreOffice write exactly as lxml reads it, refuses what is not well-formed as expat and
libxml2 refuse it, and leaves everything else to expat (and then to lxml) as before.

`_fastdocx.blocks(xml, Cell, Row, Table, readers)` takes which readers to try: 0 the tokenizer,
then expat when the tokenizer cannot read the document (what collect uses); 1 expat only; 2 the
tokenizer only.
"""

from __future__ import annotations

import random
import zipfile

import pytest

from generator.collect import reader
from tests.test_collect_fast_reader import _ELEMENTS, _FORM, EXAMPLES, by_lxml, dump, needs_c
from tests.test_collect_fast_reader import _damage as damage

BOTH, EXPAT, TOKENIZER = 0, 1, 2
W = reader.W


def read(xml: bytes, readers: int) -> list | None:
    assert reader._fastdocx is not None
    blocks = reader._fastdocx.blocks(xml, reader.Cell, reader.Row, reader.Table, readers)
    return None if blocks is None else dump(reader.Document(blocks=blocks))


def table_texts(read_back: list) -> list[str]:
    return [cell[3] for block in read_back[1:] if isinstance(block, tuple)
            for row in block[1] for cell in row]


@needs_c
def test_the_tokenizer_reads_every_shipped_example_without_tracked_changes() -> None:
    read_by_it = 0
    for path in EXAMPLES:
        xml = zipfile.ZipFile(path).read("word/document.xml")
        ours = read(xml, TOKENIZER)
        if b"<w:ins " in xml or b"<w:del " in xml:
            assert ours is None, path.name  # tracked changes: lxml reads them
            continue
        assert ours is not None, path.name
        assert ours == by_lxml(xml) == read(xml, EXPAT), path.name
        read_by_it += 1
    assert read_by_it >= 3 * len(EXAMPLES) // 4


# what Word, LibreOffice and hand edits write that the tokenizer reads itself
@needs_c
@pytest.mark.parametrize("xml, why", [
    (_FORM.replace(b"<w:t>Ghi ch\xc3\xba", b"<w:t>&quot;Ghi&apos; &lt;ch\xc3\xba&gt; &amp;"),
     "the five predefined entities"),
    (_FORM.replace(b'<w:gridSpan w:val="2"/>', b"<w:gridSpan w:val='\t2\n' />"),
     "single quotes, a tab and a line feed in a value (normalized to spaces), a space before />"),
    (_FORM.replace(b"<w:t>TT</w:t>", b"<w:t >T\xf0\x9f\x98\x80\xc2\x85T</w:t\n>"),
     "white space inside tags, a character above U+FFFF, U+0085 (Python strips it)"),
    (_FORM.replace(b'<w:tcW w:w="500"/>', b'<w:tcW w:w = "5>0" w:type="a&amp;b"/>'),
     "spaces around =, > and an entity in a value"),
    (b"\xef\xbb\xbf" + _FORM, "a byte order mark"),
    (_FORM[_FORM.index(b"?>") + 2:].lstrip(), "no XML declaration"),
    (_FORM.replace(b'encoding="UTF-8" standalone="yes"', b"encoding='utf-8'"), "utf-8 in single quotes"),
    (_FORM.replace(b"<w:body>", b"<w:body>\n\t \n"), "white space between elements"),
])
def test_what_the_tokenizer_reads_reads_as_lxml_reads_it(xml: bytes, why: str) -> None:
    ours = read(xml, TOKENIZER)
    assert ours is not None, why
    assert ours == by_lxml(xml) == read(xml, EXPAT), why
    assert ours == read(xml, BOTH), why


@needs_c
def test_entities_and_white_space_give_the_cell_text_lxml_gives() -> None:
    xml = _FORM.replace(b"<w:t>Ghi ch\xc3\xba</w:t>",
                        b"<w:t>  &lt;Ghi&gt;\n\tch\xc3\xba &amp; &quot;x&apos;  </w:t>")
    assert "<Ghi>\n\tchú & \"x'" in table_texts(read(xml, TOKENIZER))


# not well-formed: the tokenizer must not read it, and neither may anything after it
@needs_c
@pytest.mark.parametrize("xml, why", [
    (_FORM.replace(b"<w:t>Ghi", b"<w:t>Ghi ]]>"), "]]> in text"),
    (_FORM.replace(b'<w:tcW w:w="500"/>', b'<w:tcW w:w="500" w:w="5"/>'), "an attribute twice"),
    (_FORM.replace(b'<w:tcW w:w="500"/>', b'<w:tcW w:w="500"w:type="dxa"/>'), "attributes without a space"),
    (_FORM.replace(b"</w:t>", b"</w:tt>", 1), "an end tag of another name"),
    (_FORM.replace(b"</w:t>", b"</w:t", 1), "an end tag not closed"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T\xed\xa0\x80T"), "a surrogate in UTF-8"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T\xc0\xafT"), "an overlong UTF-8 sequence"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T\xef\xbf\xbfT"), "U+FFFF"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T\xe1\xbaT"), "a UTF-8 sequence cut short"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T\x01T"), "a control character"),
    (_FORM.replace(b'w:w="500"', b'w:w="5<00"'), "< in a value"),
    (_FORM.replace(b'w:w="500"', b'w:w="500'), "a value not closed"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T&nbsp;T"), "an entity no DTD declares"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T & T"), "a bare &"),
    (_FORM + b"x", "text after the root"),
    (_FORM + b"<w:document/>", "a second root"),
    (_FORM[:-12], "the end cut off"),
    (_FORM.replace(b"<w:p/>", b"<w:p/ >", 1), "a space inside />"),
    (_FORM.replace(b"<w:cr/>", b"<w:cr\x00/>"), "a NUL byte"),
])
def test_what_is_not_well_formed_is_refused_as_lxml_refuses_it(xml: bytes, why: str) -> None:
    assert read(xml, TOKENIZER) is None, why
    assert read(xml, BOTH) is None, why
    assert isinstance(by_lxml(xml), Exception), why


# well-formed, but outside what the tokenizer reads: expat reads it, as before
@needs_c
@pytest.mark.parametrize("xml, why", [
    (_FORM.replace(b"<w:sectPr/>", b"<!-- c --><w:sectPr/>"), "a comment"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T&#160;&#x1F600;T"), "character references"),
    (_FORM.replace(b"<w:t>TT", b"<w:t>T<![CDATA[<&>]]>T"), "a CDATA section"),
    (_FORM.replace(b"\n", b"\r\n"), "CR LF line ends"),
    (_FORM.replace(b"<w:sectPr/>", b"<?pi x?><w:sectPr/>"), "a processing instruction"),
])
def test_what_the_tokenizer_leaves_expat_reads_as_lxml_reads_it(xml: bytes, why: str) -> None:
    assert read(xml, TOKENIZER) is None, why
    ours = read(xml, BOTH)
    assert ours is not None and ours == by_lxml(xml) == read(xml, EXPAT), why


_TEXT_FORM = _FORM.decode()
_BODY_ONLY = _TEXT_FORM[_TEXT_FORM.index("?>") + 2:].lstrip()


# what expat would read otherwise than libxml2 (an encoding it detects or is told, a name longer
# than libxml2 takes): neither C reader reads it, lxml reads it or refuses it as before
@needs_c
@pytest.mark.parametrize("xml, why", [
    (_BODY_ONLY.encode("utf-16-le"), "UTF-16 without a byte order mark (libxml2 refuses it)"),
    (_BODY_ONLY.encode("utf-16-be"), "UTF-16 big-endian without a byte order mark"),
    (b"\xff\xfe" + ('<?xml version="2.0"?>' + _BODY_ONLY).encode("utf-16-le"),
     "UTF-16, a version libxml2 refuses"),
    (b"\xef\xbb\xbf" + _FORM.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),
     "a UTF-8 byte order mark against a Latin-1 declaration (libxml2 follows the mark)"),
    (_FORM.replace(b"<w:sectPr/>", b"<a" + b"b" * 60_000 + b"/><w:sectPr/>"), "a name of 60,001 letters"),
    (_FORM.replace(b'<w:tcW w:w="500"/>', b'<w:tcW w:' + b"b" * 60_000 + b'="1"/>'),
     "an attribute name of 60,003 letters"),
])
def test_what_expat_would_read_otherwise_than_lxml_is_left_to_lxml(xml: bytes, why: str) -> None:
    assert read(xml, TOKENIZER) is None and read(xml, EXPAT) is None and read(xml, BOTH) is None, why
    theirs = by_lxml(xml)
    if not isinstance(theirs, Exception):
        assert dump(reader.read_document(xml)) == theirs, why


@needs_c
def test_a_document_nested_deeper_than_lxml_takes_is_left_to_lxml() -> None:
    def nested(depth: int) -> bytes:
        return (f'<w:document xmlns:w="{W}"><w:body>' + "<w:x>" * depth + "</w:x>" * depth
                + "<w:p><w:r><w:t>a</w:t></w:r></w:p></w:body></w:document>").encode()

    assert read(nested(10), BOTH) == read(nested(10), EXPAT) == by_lxml(nested(10))
    assert read(nested(2100), BOTH) is None  # libxml2 refuses it: lxml gives the message
    assert read(nested(2100), EXPAT) is None
    assert isinstance(by_lxml(nested(2100)), Exception)
    assert read(nested(300), BOTH) is None and not isinstance(by_lxml(nested(300)), Exception)


# text an agency may type (well-formed where text is), and damage at any byte
_TEXT = [b"&quot;", b"&lt;", b"&gt;", b"&apos;", b"&amp;", b"'", b'"', b">", b"]]", b"]", b"\xc2\xa0",
         b"\xc2\x85", b"\xe2\x80\x83", b"\xf0\x9f\x98\x80", b"\n", b"\t", b" ", b"\xe1\xbb\x87", b"\x7f"]
_MORE = [b"]]>", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xef\xbf\xbf", b"&am;", b"&",
         b' w:val="a"', b" w:val='b'", b' w:x="1" w:x="2"', b"\xc3", b"=", b"/>", b"</w:t >", b"<w:t\n>",
         b"\x00", b"\xef\xbb\xbf", b"<a:b:c/>", b'w:val="&lt;&gt;"', b"<>", b"</>", b"< w:p>", b"<w:1p/>",
         b"<x:/>"]


def _typed(xml: bytes, rng: random.Random) -> bytes:
    """Whole elements where tags start, text where text is: the form stays well-formed."""
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.5:
            at = rng.choice([i for i in range(len(xml)) if xml[i:i + 1] == b"<"][2:])
            xml = xml[:at] + rng.choice(_ELEMENTS) + xml[at:]
        else:
            ends = [i + 1 for i in range(len(xml)) if xml[i:i + 1] == b">"][1:]
            in_text = [i for i in ends if xml[:i].endswith((b"<w:t>", b"'preserve'>"))]
            at = rng.choice(in_text if in_text and rng.random() < 0.7 else ends)
            xml = xml[:at] + b"".join(rng.choices(_TEXT, k=rng.randint(1, 3))) + xml[at:]
    return xml


@needs_c
def test_thousands_of_damaged_forms_read_by_the_tokenizer_read_as_by_lxml_and_expat() -> None:
    rng = random.Random(2026)
    accepted = changed = 0
    undamaged = read(_FORM, TOKENIZER)
    for _ in range(3000):
        xml = _typed(_FORM, rng)
        if rng.random() < 0.4:
            xml = damage(xml, rng)
        for _ in range(rng.choice((0, 0, 1, 2))):
            at = rng.randrange(len(xml))
            xml = xml[:at] + rng.choice(_MORE + _TEXT) + xml[at:]
        ours = read(xml, TOKENIZER)
        if ours is None:
            assert read(xml, BOTH) == read(xml, EXPAT), xml
            continue
        assert ours == by_lxml(xml) == read(xml, EXPAT), xml
        accepted += 1
        changed += ours != undamaged
    # worth something only if the tokenizer read many damaged forms, and read them differently
    assert accepted > 300 and changed > 200, (accepted, changed)
