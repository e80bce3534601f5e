# The C single pass of the collect reader (_fastdocx.c); see reader.py.
from typing import Any

def blocks(document_xml: bytes, cell: type, row: type, table: type, /) -> list[Any] | None: ...
