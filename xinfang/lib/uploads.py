"""Decide whether an uploaded attachment is what it claims to be, and what to store of it.

A magic-bytes prefix and a file extension prove nothing about the rest of the file, so each kind is
opened the way a reader would open it:

* DOCX is a zip: a 200 KB zip bomb inflating to gigabytes would exhaust memory or disk of whoever
  indexes or previews it, so declared sizes and compression ratios are bounded and members are read
  with a cap. Macros (``vbaProject.bin``, macro-enabled content types) and embedded executables run
  on the clerk's PC when the file is opened, and ``../`` members escape any extraction directory.
* PDF must parse with at least one page: a ``%PDF-`` header followed by HTML (a polyglot) is a web page
  that a browser sniffing the content would run as script in our origin.
* Images must decode fully (a truncated or crafted file is not a scan) and are bounded in pixels
  (decompression bombs). They are re-encoded without EXIF/XMP/ICC/text chunks: the GPS position in a
  petitioner's phone photo tells whoever reads the file where they live.
* ``stored_name`` keeps the extension when a long name is shortened, and removes path separators.

Standard library, Pillow and pypdf only: this module sits at the bottom layer.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

import pypdf
from PIL import Image, ImageFile, ImageOps, ImageSequence

REASONS = ("type", "docx", "docx_too_large", "docx_executable", "pdf", "image", "image_too_large")

DOCX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
DOCX_MAX_RATIO = 100  # deflate reaches ~5:1 on XML; ~1000:1 is a run of zeros
DOCX_RATIO_FROM = 1024 * 1024  # small members (styles, empty parts) compress far better: not checked
DOCX_PART_MAX = 1024 * 1024  # the cap when reading a member ([Content_Types].xml is a few KB)
IMAGE_MAX_PIXELS = 80_000_000  # all pages of a TIFF together; an A4 scan at 600 dpi is 35 M

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# kind: (magics, extensions, MIME type, Pillow format) — the table of ATTACHMENT_TYPES in intake.py.
KINDS: dict[str, tuple[tuple[bytes, ...], tuple[str, ...], str, str]] = {
    "pdf": ((b"%PDF-",), (".pdf",), "application/pdf", ""),
    "jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg"), "image/jpeg", "JPEG"),
    "png": ((b"\x89PNG\r\n\x1a\n",), (".png",), "image/png", "PNG"),
    "tiff": ((b"II*\x00", b"MM\x00*"), (".tif", ".tiff"), "image/tiff", "TIFF"),
    "docx": ((b"PK\x03\x04",), (".docx",), DOCX_TYPE, ""),
}
_EXECUTABLE = tuple(
    ".exe .dll .bat .cmd .com .scr .js .vbs .ps1 .msi .jar .bin"  # .bin: vbaProject.bin, OLE objects
    " .docm .dotm .xlsm .xltm .xlam .pptm .potm .ppsm .ppam".split()  # embedded macro-enabled files
)
_PRINTER_SETTINGS = re.compile(r"word/printersettings/printersettings\d+\.bin\Z")  # Word's; only peeked at
_MACRO_TYPES = ("application/vnd.ms-office.vbaproject", "macroenabled")  # any *.macroEnabled.* type
# Members with other names are peeked at for an "MZ" (Windows executable) header.
_PLAIN_SUFFIXES = tuple(".xml .rels .png .jpg .jpeg .gif .bmp .tif .tiff .emf .wmf .svg .odttf .xlsx".split())
_KEPT_INFO = ("transparency", "dpi")  # of an image's ``info``, all else is metadata
_EXTENSION = re.compile(r"\.[^.\s]{1,9}\Z")

# pypdf reports every repaired defect of a strict=False read as a logging warning: noise for us, the
# verdict is whether the pages are there. (pypdf's warnings.warn are only DeprecationWarnings of its API.)
logging.getLogger("pypdf").setLevel(logging.ERROR)


class UploadRefused(Exception):
    """``reason`` is one of the REASONS codes; the caller turns it into a Chinese message."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Checked:
    kind: str  # "pdf" | "jpeg" | "png" | "tiff" | "docx"
    content_type: str  # the MIME type
    data: bytes  # what to store: the upload unchanged, except images re-encoded without metadata
    sha256: str  # hex SHA-256 of what was RECEIVED (the original, kept as evidence)
    stored_sha256: str  # hex SHA-256 of ``data``


def check_upload(name: str, content: bytes) -> Checked:
    """Return what to store of the upload ``name`` with bytes ``content``; raise UploadRefused."""
    kind = _kind(name, content)
    mime, pil_format = KINDS[kind][2:]
    if kind == "docx":
        _check_docx(content)
    elif kind == "pdf":
        _check_pdf(content)
    data = _clean_image(content, pil_format) if pil_format else content
    return Checked(kind, mime, data, hashlib.sha256(content).hexdigest(), hashlib.sha256(data).hexdigest())


def stored_name(name: str, limit: int = 200) -> str:
    """The name to keep: NFC, no path separators or control characters, at most ``limit`` characters,
    shortened in the stem so that the extension survives."""
    name = unicodedata.normalize("NFC", name).strip()
    name = "".join("_" if c in "/\\" or unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in name)
    match = _EXTENSION.search(name)
    ext = match.group() if match and len(match.group()) < limit else ""
    stem = name[: len(name) - len(ext)]
    if not stem.strip(". "):  # "", ".", ".." would name no file, or the parent directory
        stem = "attachment"
    return stem[: limit - len(ext)] + ext


def _kind(name: str, content: bytes) -> str:
    for kind, (magics, suffixes, _mime, _format) in KINDS.items():
        if content.startswith(magics) and name.lower().endswith(suffixes):
            return kind
    raise UploadRefused("type")


def _check_docx(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            _check_zip(zf)
    except UploadRefused:
        raise
    except Exception as e:  # BadZipFile, encrypted or unsupported members, bad CRC, XML errors…
        raise UploadRefused("docx") from e


def _check_zip(zf: zipfile.ZipFile) -> None:
    members = zf.infolist()
    if sum(info.file_size for info in members) > DOCX_MAX_UNCOMPRESSED:
        raise UploadRefused("docx_too_large")
    for info in members:
        parts, lower = info.filename.replace("\\", "/").split("/"), info.filename.lower()
        if parts[0] == "" or ":" in parts[0] or ".." in parts:
            raise UploadRefused("docx")
        if info.file_size > DOCX_RATIO_FROM and info.file_size > DOCX_MAX_RATIO * info.compress_size:
            raise UploadRefused("docx_too_large")
        if lower.endswith(_EXECUTABLE) and not _PRINTER_SETTINGS.match(lower):
            raise UploadRefused("docx_executable")
        if not info.is_dir() and not lower.endswith(_PLAIN_SUFFIXES):
            with zf.open(info) as member:
                if member.read(2) == b"MZ":
                    raise UploadRefused("docx_executable")
    names = {info.filename for info in members}
    # Two members of one name: each reader would pick another.
    if len(names) != len(members) or not {"[Content_Types].xml", "word/document.xml"} <= names:
        raise UploadRefused("docx")
    for content_type in _content_types(_read_capped(zf, "[Content_Types].xml")):
        if any(macro in content_type.lower() for macro in _MACRO_TYPES):
            raise UploadRefused("docx_executable")
    # zipfile inflates no further than the declared size and then checks the CRC: a main document
    # lying about its size (a bomb for the next reader) fails here, in bounded memory.
    with zf.open("word/document.xml") as member:
        while member.read(1024 * 1024):
            pass


def _read_capped(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as member:
        data = member.read(DOCX_PART_MAX + 1)
    if len(data) > DOCX_PART_MAX:
        raise UploadRefused("docx_too_large")
    return data


def _content_types(xml: bytes) -> list[str]:
    # OOXML parts never carry a DTD; without one no entity can be declared, so expat cannot be made to
    # expand entities (billion laughs) or fetch external ones.
    if b"<!doctype" in xml.lower():
        raise UploadRefused("docx")
    root = ElementTree.fromstring(xml)  # noqa: S314 - no DTD, see above
    return [element.get("ContentType", "") for element in root.iter()]


def _check_pdf(content: bytes) -> None:
    # Old browsers sniffed the first bytes for HTML whatever the declared type; a real PDF's first
    # kilobyte is dictionaries and binary, never these tags.
    head = content[:1024].lower()
    if any(tag in head for tag in (b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<!doctype")):
        raise UploadRefused("pdf")
    try:
        pages = len(pypdf.PdfReader(io.BytesIO(content), strict=False).pages)
    except Exception as e:  # pypdf raises PdfReadError but also KeyError, ValueError, … on bad input
        raise UploadRefused("pdf") from e
    if pages < 1:
        raise UploadRefused("pdf")


# WeasyPrint sets Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` when it is imported (for the PDF
# notices), after which a truncated upload would decode "fine". The check turns it off while it
# decodes, under a lock, and puts back what it found.
_TRUNCATION = threading.Lock()


def _clean_image(content: bytes, pil_format: str) -> bytes:
    with _TRUNCATION:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            return _decode_and_clean(content, pil_format)
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _decode_and_clean(content: bytes, pil_format: str) -> bytes:
    """Decode every pixel, then re-encode without metadata. A multi-page TIFF keeps all its pages
    (a scanned letter of several sheets); PNG and JPEG keep their first frame only."""
    try:
        with Image.open(io.BytesIO(content), formats=[pil_format]) as im:
            frames: Iterable[Image.Image] = ImageSequence.Iterator(im) if pil_format == "TIFF" else [im]
            pages: list[Image.Image] = []
            pixels = 0
            for frame in frames:
                pixels += frame.width * frame.height
                if pixels > IMAGE_MAX_PIXELS:
                    raise UploadRefused("image_too_large")
                frame.load()
                pages.append(_without_metadata(frame))
            return _encode(pages, pil_format)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UploadRefused("image_too_large") from e  # the Warning when warnings are errors (tests)
    except Exception as e:  # truncated data, garbage after the header, unsupported variants
        raise UploadRefused("image") from e


def _without_metadata(frame: Image.Image) -> Image.Image:
    """A new image of the frame's pixels, turned upright by its EXIF orientation, with no ``info``
    (EXIF, XMP, ICC profile, comments, PNG text) and none of the original file's TIFF tags."""
    clean = ImageOps.exif_transpose(frame)  # always a new Image.Image, never the TiffImageFile
    clean.info = {key: frame.info[key] for key in _KEPT_INFO if key in frame.info}
    return clean


def _encode(pages: list[Image.Image], pil_format: str) -> bytes:
    out = io.BytesIO()
    first = pages[0]
    options: dict[str, object] = {key: first.info[key] for key in _KEPT_INFO if key in first.info}
    if pil_format == "JPEG":
        if first.mode not in ("L", "RGB", "CMYK"):
            first = first.convert("RGB")
        options["quality"] = 90
    elif pil_format == "TIFF":
        options["compression"] = "tiff_lzw"  # lossless, read by every viewer; raw would be 25 MB a page
        if len(pages) > 1:
            options.update(save_all=True, append_images=pages[1:])
    first.save(out, pil_format, **options)
    return out.getvalue()
