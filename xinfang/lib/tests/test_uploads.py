"""What an upload must be to be stored, and what of it is stored (xinfang.lib.uploads).

Every refused fixture passes today's magic-bytes-and-extension check (``_naive_accepts``), so each
test shows a hole that check leaves open. Fixtures are built here; no binary file is committed.
"""

import hashlib
import io
import logging
import random
import struct
import warnings
import zipfile
import zlib

import docx
import pypdf
import pytest
from PIL import Image, ImageFile, ImageSequence, TiffImagePlugin
from PIL.PngImagePlugin import PngImageFile, PngInfo
from PIL.TiffImagePlugin import TiffImageFile

from xinfang.lib.uploads import Checked, UploadRefused, check_upload, stored_name

# Today's check in xinfang.petitions.intake (ATTACHMENT_TYPES): a prefix and a suffix.
_NAIVE = [
    (b"%PDF-", (".pdf",)),
    (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", (".png",)),
    (b"II*\x00", (".tif", ".tiff")),
    (b"MM\x00*", (".tif", ".tiff")),
    (b"PK\x03\x04", (".docx",)),
]
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _naive_accepts(name: str, content: bytes) -> bool:
    return any(content.startswith(magic) and name.lower().endswith(ext) for magic, ext in _NAIVE)


def _reason(name: str, content: bytes) -> str:
    assert _naive_accepts(name, content)
    with pytest.raises(UploadRefused) as exc:
        check_upload(name, content)
    return exc.value.reason


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _docx(**extra_members: bytes) -> bytes:
    document = docx.Document()
    document.add_paragraph("信访人反映：小区道路损坏，请求修复。")
    out = io.BytesIO()
    document.save(out)
    if extra_members:
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            for name, data in extra_members.items():
                zf.writestr(name, data)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _pdf(pages: int = 1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_bytes(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def _rgb(im: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = im.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def _two_halves(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Red left half, blue right half: which way up it is shows."""
    im = Image.new("RGB", size, "blue")
    im.paste("red", (0, 0, size[0] // 2, size[1]))
    return im


# --- DOCX ----------------------------------------------------------------------------------------


def test_it_accepts_a_word_document_and_stores_it_unchanged():
    content = _docx()
    checked = check_upload("反映材料.DOCX", content)
    assert checked == Checked(
        kind="docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        data=content,
        sha256=_sha(content),
        stored_sha256=_sha(content),
    )


def test_it_accepts_a_docx_with_the_printer_settings_word_saves():
    content = _docx(
        **{"word/printerSettings/printerSettings1.bin": "HP LaserJet".encode("utf-16-le") + bytes(200)}
    )
    assert check_upload("通知.docx", content).data == content


@pytest.mark.parametrize(
    "member", ["word/printerSettings/printerSettings1.bin", "word/printerSettings/evil.bin"]
)
def test_it_refuses_a_program_posing_as_printer_settings(member):
    assert _reason("通知.docx", _docx(**{member: b"MZ\x90\x00" + bytes(100)})) == "docx_executable"


def test_it_refuses_a_zip_bomb_renamed_docx():
    out = io.BytesIO()
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            for _ in range(200):  # 200 MB inflated, about 200 KB on the wire
                member.write(zeros)
    content = out.getvalue()
    assert len(content) < 300 * 1024
    assert _reason("bomb.docx", content) == "docx_too_large"


def test_it_refuses_a_docx_inflating_past_the_total_limit_in_small_members():
    # 110 members of 1 MB: none is over the ratio threshold, together they inflate to 110 MB.
    out = io.BytesIO()
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w/>")
        for i in range(110):
            zf.writestr(f"word/media/image{i}.png", zeros)
    assert _reason("bomb.docx", out.getvalue()) == "docx_too_large"


def test_it_refuses_a_highly_compressed_member_below_the_total_limit():
    # 20 MB of zeros: under DOCX_MAX_UNCOMPRESSED, but 1000:1 is no Word document.
    content = _docx(**{"word/media/image1.png": bytes(20 * 1024 * 1024)})
    assert _reason("bomb.docx", content) == "docx_too_large"


def test_it_refuses_a_docx_whose_member_lies_about_its_size():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            for _ in range(20):
                member.write(bytes(1024 * 1024))
    content = bytearray(out.getvalue())
    # Declare 1 000 bytes in the central directory and in the local header: only the total and ratio
    # checks would see a small, harmless member.
    central = content.rindex(b"PK\x01\x02")
    assert content[central + 46 : central + 63] == b"word/document.xml"
    struct.pack_into("<I", content, central + 24, 1000)
    local = struct.unpack_from("<I", content, central + 42)[0]
    struct.pack_into("<I", content, local + 22, 1000)
    assert _reason("bomb.docx", bytes(content)) == "docx"


def test_it_refuses_a_docx_with_an_oversized_content_types_part():
    # Incompressible (ratio ~1:1), under every declared limit: only reading with a cap catches it.
    noise = random.Random(0).randbytes(1024 * 1024).hex().encode()  # 2 MB of hex digits, 2:1 at best
    content = _zip(
        {"[Content_Types].xml": b"<Types><!--" + noise + b"--></Types>", "word/document.xml": b"<w/>"}
    )
    assert _reason("big.docx", content) == "docx_too_large"


def test_it_refuses_a_docx_whose_content_types_expand_entities():
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    laughs = f'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY l0 "lol">{lol}]><Types a="&l9;"/>'
    content = _zip({"[Content_Types].xml": laughs.encode(), "word/document.xml": b"<w/>"})
    assert _reason("laughs.docx", content) == "docx"


def test_it_refuses_a_docx_carrying_macros():
    content = _docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)})
    assert _reason("通知.docx", content) == "docx_executable"


def test_it_refuses_a_docx_declaring_a_macro_enabled_document():
    with zipfile.ZipFile(io.BytesIO(_docx())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        DOCX_MAIN.encode(), b"application/vnd.ms-word.document.macroEnabled.main+xml"
    )
    assert _reason("通知.docx", _zip(members)) == "docx_executable"


@pytest.mark.parametrize(
    "member, data",
    [
        ("word/embeddings/setup.exe", b"MZ\x90\x00" + bytes(100)),
        ("word/embeddings/package.dat", b"MZ\x90\x00" + bytes(100)),  # a program under another name
        ("word/script.js", b"new ActiveXObject('WScript.Shell').Run('calc')"),
    ],
)
def test_it_refuses_a_docx_carrying_a_program(member, data):
    assert _reason("通知.docx", _docx(**{member: data})) == "docx_executable"


@pytest.mark.parametrize("member", ["../evil.txt", "word/../../evil.txt", "/etc/cron.d/evil", "C:/evil.txt"])
def test_it_refuses_a_docx_member_escaping_its_folder(member):
    assert _reason("通知.docx", _docx(**{member: b"x"})) == "docx"


def test_it_refuses_a_docx_with_two_members_of_one_name():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name"
        content = _docx(**{"word/document.xml": b"<w:document/>"})
    assert _reason("通知.docx", content) == "docx"


def test_it_refuses_a_zip_that_is_no_word_document():
    content = _zip({"readme.txt": b"hello", "[Content_Types].xml": b"<Types/>"})
    assert _reason("通知.docx", content) == "docx"


def test_it_refuses_a_zip_header_followed_by_garbage():
    assert _reason("通知.docx", b"PK\x03\x04" + bytes(range(256)) * 4) == "docx"


# --- PDF -----------------------------------------------------------------------------------------


def test_it_accepts_a_one_page_pdf_and_stores_it_unchanged():
    content = _pdf()
    checked = check_upload("来信.pdf", content)
    assert (checked.kind, checked.content_type, checked.data) == ("pdf", "application/pdf", content)
    assert checked.sha256 == checked.stored_sha256 == _sha(content)


def test_it_refuses_a_pdf_header_followed_by_html():
    content = b"%PDF-1.7\n<html><body><script>fetch('/api/petitions')</script></body></html>\n"
    assert _reason("来信.pdf", content) == "pdf"


def test_it_refuses_a_parseable_pdf_whose_first_bytes_are_html():
    # pypdf repairs the shifted offsets and finds the page; a sniffing browser finds a web page.
    content = _pdf().replace(b"\n", b"\n%<html><script>alert(document.cookie)</script>\n", 1)
    assert len(pypdf.PdfReader(io.BytesIO(content), strict=False).pages) == 1
    assert _reason("来信.pdf", content) == "pdf"


def test_it_refuses_a_pdf_without_pages():
    assert _reason("来信.pdf", _pdf(pages=0)) == "pdf"


def test_it_accepts_a_repairable_pdf_without_warnings_or_log_noise(caplog):
    content = _pdf().replace(b"\n", b"\n%a comment shifting every offset\n", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_upload("来信.pdf", content).kind == "pdf"
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
    # The control: read by pypdf with its logger at WARNING, the same file is noisy.
    with caplog.at_level(logging.WARNING, logger="pypdf"):
        pypdf.PdfReader(io.BytesIO(content), strict=False).pages[0]
    assert any(r.name.startswith("pypdf") for r in caplog.records)


# --- Images --------------------------------------------------------------------------------------


def _gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 23.0, 30.0)})
    return exif


def test_it_stores_a_jpeg_without_its_gps_position():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>39,54.25N</exif:GPSLatitude></x:xmpmeta>'
    params = {
        "exif": _gps_exif(),
        "comment": b"IMG_0001",
        "xmp": xmp,
        "icc_profile": b"profile of Zhang's phone",
    }
    original = _image_bytes(_two_halves(), "JPEG", **params)
    reopened = Image.open(io.BytesIO(original))
    assert reopened.getexif().get_ifd(0x8825) and {"xmp", "icc_profile"} <= set(reopened.info)
    checked = check_upload("现场照片.JPG", original)
    stored = Image.open(io.BytesIO(checked.data))
    assert (checked.kind, checked.content_type, stored.format) == ("jpeg", "image/jpeg", "JPEG")
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(stored.info)
    assert (
        dict(stored.getexif()) == {} and b"GPSLatitude" not in checked.data and b"Zhang" not in checked.data
    )
    assert stored.size == (40, 20) and _rgb(stored, 5, 10)[0] > 200  # still the red half
    assert checked.sha256 == _sha(original) != checked.stored_sha256 == _sha(checked.data)


def test_it_turns_a_rotated_phone_photo_upright():
    # Orientation 6: the camera stored it on its side; viewers turn it 90° clockwise.
    original = _image_bytes(_two_halves(), "JPEG", exif=_gps_exif(orientation=6))
    stored = Image.open(io.BytesIO(check_upload("photo.jpeg", original).data))
    assert stored.size == (20, 40)
    assert _rgb(stored, 10, 5)[0] > 200 and _rgb(stored, 10, 35)[2] > 200  # red on top


def test_it_stores_a_png_without_its_text_chunks_and_with_its_pixels():
    im = Image.new("RGBA", (16, 16), (255, 0, 0, 128))
    info = PngInfo()
    info.add_text("Author", "张三，住某某小区3号楼")
    info.add_itxt("Comment", "家庭住址", lang="zh")
    original = _image_bytes(im, "PNG", pnginfo=info)
    checked = check_upload("截图.png", original)
    stored, reopened = Image.open(io.BytesIO(checked.data)), Image.open(io.BytesIO(original))
    assert isinstance(stored, PngImageFile) and isinstance(reopened, PngImageFile)
    assert reopened.text  # the fixture has text
    assert stored.text == {} and "张三".encode() not in checked.data
    assert stored.mode == "RGBA" and stored.tobytes() == im.tobytes()


def test_it_keeps_every_page_of_a_tiff_scan_but_not_its_tags():
    # Two A4 sheets at 200 dpi, black and white, as a scanner writes them.
    pages = [Image.new("1", (1654, 2339), 1), Image.new("1", (1654, 2339), 1)]
    pages[1].paste(0, (200, 300, 1400, 400))
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[270] = "扫描人：李四"  # ImageDescription
    tags[315] = "Li Si"  # Artist
    params = {"save_all": True, "append_images": pages[1:], "tiffinfo": tags, "compression": "group4"}
    original = _image_bytes(pages[0], "TIFF", **params)
    checked = check_upload("来信扫描.tif", original)
    stored, reopened = Image.open(io.BytesIO(checked.data)), Image.open(io.BytesIO(original))
    assert isinstance(stored, TiffImageFile) and isinstance(reopened, TiffImageFile)
    assert reopened.tag_v2[315] == "Li Si"  # the fixture has tags
    frames = [frame.copy() for frame in ImageSequence.Iterator(stored)]
    assert [f.tobytes() for f in frames] == [p.tobytes() for p in pages]
    assert 270 not in stored.tag_v2 and 315 not in stored.tag_v2
    assert len(checked.data) < 100 * 1024  # compressed: 2 × 480 KB raw
    assert checked.kind == "tiff" and checked.content_type == "image/tiff"


def test_it_refuses_a_truncated_jpeg():
    original = _image_bytes(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    assert _reason("photo.jpg", original[: len(original) // 2]) == "image"


@pytest.mark.parametrize(
    "name, head", [("a.jpg", b"\xff\xd8\xff"), ("a.png", b"\x89PNG\r\n\x1a\n"), ("a.tif", b"MM\x00*")]
)
def test_it_refuses_garbage_after_an_image_header(name, head):
    assert _reason(name, head + bytes(range(256)) * 4) == "image"


def _png_claiming(width: int, height: int) -> bytes:
    """A valid small PNG whose header claims another size: Pillow learns the size before decoding."""
    png = _image_bytes(Image.new("1", (8, 8)), "PNG")
    ihdr = png[12:16] + struct.pack(">II", width, height) + png[24:29]
    return png[:8] + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


@pytest.mark.parametrize(
    "width, height",
    [
        (9000, 9000),  # 81 M: over IMAGE_MAX_PIXELS, under Pillow's own limit
        (10000, 9000),  # 90 M: Pillow's DecompressionBombWarning (an error under pytest)
        (20000, 20000),  # 400 M: Pillow's DecompressionBombError
    ],
)
def test_it_refuses_an_image_of_too_many_pixels(width, height):
    assert _reason("huge.png", _png_claiming(width, height)) == "image_too_large"


@pytest.mark.parametrize("name", ["photo.png", "photo.pdf", "photo.docx", "photo.jpg.exe", "photo"])
def test_it_refuses_content_that_does_not_match_its_name(name):
    # Today's rule, kept (the naive check refuses these too).
    content = _image_bytes(Image.new("RGB", (8, 8)), "JPEG")
    with pytest.raises(UploadRefused) as exc:
        check_upload(name, content)
    assert exc.value.reason == "type"


# --- Names ---------------------------------------------------------------------------------------


def test_it_shortens_a_long_name_keeping_its_extension():
    name = stored_name("很长" * 150 + ".docx")
    assert name.endswith(".docx") and len(name) == 200 and name.startswith("很长很长")
    short = stored_name("a" * 300 + ".pdf", limit=50)
    assert short.endswith(".pdf") and len(short) == 50
    assert stored_name("来信.pdf") == "来信.pdf"


def test_it_removes_path_separators_and_control_characters():
    assert stored_name("../../etc/passwd") == ".._.._etc_passwd"
    assert stored_name("C:\\Users\\张三\\来信.pdf") == "C:_Users_张三_来信.pdf"
    assert stored_name("invoice\u202efdp.exe\x00\n.pdf") == "invoice_fdp.exe__.pdf"


def test_it_normalises_to_nfc():
    assert stored_name("cafe\u0301.pdf") == "caf\u00e9.pdf"


@pytest.mark.parametrize(
    "raw, expected",
    [(".docx", "attachment.docx"), ("", "attachment"), ("..", "attachment"), ("  ", "attachment")],
)
def test_it_names_an_attachment_without_a_stem(raw, expected):
    assert stored_name(raw) == expected


def test_it_refuses_a_truncated_jpeg_even_after_weasyprint_made_pillow_lenient():
    """WeasyPrint, imported for the PDF notices, sets ``LOAD_TRUNCATED_IMAGES`` for the process."""
    original = _image_bytes(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        assert _reason("photo.jpg", original[: len(original) // 2]) == "image"
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
