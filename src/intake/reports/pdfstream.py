"""Many small PDFs streamed into one file, so a batch of thousands of pages uses flat memory.

reportlab keeps a whole document in memory until it is saved. A batch is therefore rendered in
chunks of a few profiles; each chunk's PDF (in memory, never a temporary file) is parsed with
pypdf and its pages and the objects they use are renumbered and written straight to the output
file. Only the byte offsets of the objects written and the page references are kept until the
cross-reference table closes the file.
"""

from __future__ import annotations

import io
from collections import deque
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

_CATALOG, _PAGES, _INFO = 1, 2, 3


class StreamingPdfWriter:
    """Append the pages of PDFs to ``out`` one document at a time; ``close()`` finishes it."""

    def __init__(self, out: BinaryIO, *, title: str = "", producer: str = "Intake") -> None:
        self._out = out
        self._offsets: dict[int, int] = {}
        self._next = _INFO + 1
        self._kids: list[int] = []
        self._title = title
        self._producer = producer
        self._position = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self._kids)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def add_document(self, data: bytes) -> int:
        """Copy every page of the PDF ``data``; returns how many pages were added."""
        reader = PdfReader(io.BytesIO(data))
        numbers: dict[int, int] = {}
        queue: deque[tuple[int, int]] = deque()

        def renumber(ref: IndirectObject) -> IndirectObject:
            new = numbers.get(ref.idnum)
            if new is None:
                new = numbers[ref.idnum] = self._next
                self._next += 1
                queue.append((ref.idnum, ref.generation))
            return IndirectObject(new, 0, None)  # type: ignore[arg-type]

        def copy(obj: PdfObject) -> PdfObject:
            if isinstance(obj, IndirectObject):
                return renumber(obj)
            if isinstance(obj, StreamObject):
                clone = StreamObject()
                for key, value in obj.items():
                    clone[NameObject(key)] = copy(value)
                clone._data = obj._data  # still encoded: copied byte for byte
                return clone
            if isinstance(obj, DictionaryObject):
                clone_dict = DictionaryObject()
                is_page = obj.get("/Type") == "/Page"
                for key, value in obj.items():
                    if is_page and key == "/Parent":
                        continue  # pages hang from this file's page tree (set below)
                    clone_dict[NameObject(key)] = copy(value)
                return clone_dict
            if isinstance(obj, ArrayObject):
                return ArrayObject(copy(item) for item in obj)
            return obj

        pages = 0
        for page in reader.pages:
            reference = page.indirect_reference
            if reference is None:
                continue
            self._kids.append(renumber(reference).idnum)
            pages += 1
        while queue:
            old_number, generation = queue.popleft()
            new_number = numbers[old_number]
            obj = reader.get_object(IndirectObject(old_number, generation, reader))
            clone = copy(obj)
            if isinstance(clone, DictionaryObject) and clone.get("/Type") == "/Page":
                clone[NameObject("/Parent")] = IndirectObject(_PAGES, 0, None)  # type: ignore[arg-type]
            self._write_object(new_number, clone)
        return pages

    def _write_object(self, number: int, obj: PdfObject) -> None:
        buffer = io.BytesIO()
        if isinstance(obj, StreamObject):
            data = obj._data
            obj[NameObject("/Length")] = NumberObject(len(data))
            DictionaryObject.write_to_stream(obj, buffer)
            buffer.write(b"\nstream\n" + data + b"\nendstream")
        else:
            obj.write_to_stream(buffer)
        self._offsets[number] = self._position
        self._write(f"{number} 0 obj\n".encode() + buffer.getvalue() + b"\nendobj\n")

    def close(self) -> None:
        kids = ArrayObject(IndirectObject(kid, 0, None) for kid in self._kids)  # type: ignore[arg-type]
        pages = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): kids,
                NameObject("/Count"): NumberObject(len(self._kids)),
            }
        )
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): IndirectObject(_PAGES, 0, None),  # type: ignore[arg-type]
            }
        )
        info = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(self._title),
                NameObject("/Producer"): TextStringObject(self._producer),
            }
        )
        self._write_object(_PAGES, pages)
        self._write_object(_CATALOG, catalog)
        self._write_object(_INFO, info)
        xref_at = self._position
        size = self._next
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        for number in range(1, size):
            offset = self._offsets.get(number)
            lines.append(
                f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 65535 f \n"
            )
        lines.append(
            f"trailer\n<< /Size {size} /Root {_CATALOG} 0 R /Info {_INFO} 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n"
        )
        self._write("".join(lines).encode("ascii"))
