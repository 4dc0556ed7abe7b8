"""Decoding: every encoding of PRODUCT §2, newline and tab normalisation, bad files, big files."""

import codecs
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import charset_normalizer
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from readertui.core import decoding, text_assembly
from readertui.core.decoding import (
    DecodedText,
    decode_bytes,
    detect_encoding,
    looks_binary,
    normalise_newlines,
    read_text_file,
)
from readertui.errors import DocumentError

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "gutenberg"
LIMIT = 256 * 1024 * 1024

ENGLISH = (
    "“Well,” she said, “it’s not what I’d call a triumph — but it’ll do.” "
    "He didn’t answer; the café had closed at nine, and the rain kept on.\n"
) * 8
FRENCH = (
    "À l’été, la bergère achète du pâté et des crêpes près de la rivière; "
    "où est la fenêtre? Élève, naïve, Noël, cœur.\n"
) * 8
LATIN1 = (
    "Le château se dresse au-dessus de la rivière. À l'été, les élèves français y "
    "découvrent l'histoire de la région, ses forêts et ses légendes.\n"
) * 4
SPANISH = (
    "El niño comió piñas en España. ¿Verdad? ¡Sí! La canción del señor fue muy bonita "
    "y la mañana estaba soleada.\n"
) * 4
GERMAN = (
    "Die Größe der Straße überrascht die Bürger. Äpfel und Öl kosten mehr, für Kinder "
    "gibt es Süßigkeiten.\n"
) * 4
CHINESE = (
    "嘉峪关是中国甘肃省的一个城市，以钢铁工业闻名。这座城市建于二十世纪五十年代，"
    "当时为了开发镜铁山的铁矿资源。今天，嘉峪关已经成为一个现代化的工业城市，"
    "街道干净整洁，绿树成荫。\n"
) * 4
JAPANESE = (
    "東京は日本の首都であり、世界で最も人口の多い都市圏の一つです。"
    "多くの人々が毎日電車で通勤しています。春には桜が咲き、多くの観光客が訪れます。\n"
) * 4
RUSSIAN = "Привет, как дела? Это русский текст для проверки кодировки документа.\n" * 8


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "pg2600.txt").is_file():
        pytest.skip("the Gutenberg corpus is not next to the repo")
    return CORPUS


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every non-empty file take the large-file path, in chunks of a few bytes."""
    monkeypatch.setattr(decoding, "_LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(decoding, "_CHUNK_BYTES", 7)


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(ENGLISH.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + ENGLISH.encode("utf-8"), "utf-8-sig", id="utf-8-bom"),
        pytest.param(
            codecs.BOM_UTF16_LE + ENGLISH.encode("utf-16-le"), "utf-16", id="utf-16-le-bom"
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + ENGLISH.encode("utf-16-be"), "utf-16", id="utf-16-be-bom"
        ),
        pytest.param(
            codecs.BOM_UTF32_LE + ENGLISH.encode("utf-32-le"), "utf-32", id="utf-32-le-bom"
        ),
        pytest.param(
            codecs.BOM_UTF32_BE + ENGLISH.encode("utf-32-be"), "utf-32", id="utf-32-be-bom"
        ),
    ],
)
def test_unicode_encodings_decode_to_the_text_without_bom(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data)
    assert decoded == DecodedText(ENGLISH, encoding)


@pytest.mark.parametrize("text", [ENGLISH, FRENCH], ids=["english", "french"])
def test_cp1252_curly_quotes_and_accents_decode_exactly(text: str) -> None:
    # charset_normalizer alone names cp1250 here, which turns è into č.
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text == text
    assert "\ufffd" not in decoded.text


def test_a_few_words_of_cp1252_are_not_taken_for_a_dos_code_page() -> None:
    decoded = decode_bytes("It’s “fine”.".encode("cp1252"))
    assert decoded == DecodedText("It’s “fine”.", "cp1252")


@pytest.mark.parametrize("text", [LATIN1, SPANISH, GERMAN], ids=["french", "spanish", "german"])
def test_latin1_text_decodes_exactly(text: str) -> None:
    # Latin-1 is cp1252 minus the C1 range, so either name decodes it right.
    assert decode_bytes(text.encode("latin-1")).text == text


def test_latin1_guess_with_c1_bytes_becomes_cp1252(monkeypatch: pytest.MonkeyPatch) -> None:
    class Match:
        encoding = "latin_1"
        chaos = 0.0
        coherence = 0.5
        could_be_from_charset = ("latin_1",)

    class Results(list[Match]):
        def best(self) -> Match:
            return self[0]

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda _: Results([Match()]))
    assert detect_encoding(b"x \x96 y") == "cp1252"
    # 0x81 is undefined in cp1252, so only the C1 rule can turn the guess into cp1252.
    assert detect_encoding(b"x \x81 \x96 y") == "cp1252"


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        pytest.param(CHINESE, "gb18030", {"gb18030"}, id="gb18030"),
        pytest.param(JAPANESE, "shift_jis", {"cp932", "shift_jis"}, id="shift-jis"),
        pytest.param(RUSSIAN, "cp1251", {"cp1251"}, id="cp1251"),
    ],
)
def test_other_legacy_encodings_are_detected(text: str, codec: str, expected: set[str]) -> None:
    decoded = decode_bytes(text.encode(codec))
    assert decoded.encoding in expected
    assert decoded.text == text


def test_sample_cut_mid_character_still_counts_as_utf8() -> None:
    data = "naïve “quote” 中".encode()
    assert detect_encoding(data[:-1]) == "utf-8"
    assert detect_encoding(data[:-2]) == "utf-8"


def test_utf8_file_with_cp1252_bytes_after_the_sample_is_redecoded() -> None:
    # Pure ASCII for well over the detection sample, then Windows quotes near the end.
    data = b"plain ascii line\n" * 200_000 + "“Quoted” it’s.\n".encode("cp1252")
    assert detect_encoding(decoding._detection_sample(data)) == "utf-8"
    decoded = decode_bytes(data)
    assert decoded.encoding == "cp1252"
    assert decoded.text.endswith("“Quoted” it’s.\n")


def test_utf8_cut_short_at_the_end_keeps_the_text() -> None:
    decoded = decode_bytes("Grüße, café".encode()[:-1])
    assert decoded == DecodedText("Grüße, caf\ufffd", "utf-8")


def test_utf8_sample_joined_from_head_and_middle_splits_no_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(decoding, "_SAMPLE_HEAD_BYTES", 10)
    monkeypatch.setattr(decoding, "_SAMPLE_MIDDLE_BYTES", 10)
    data = "ééééééééééééééééééééééééééééééééééé".encode()  # every cut point is risky
    for size in range(21, len(data)):
        assert detect_encoding(decoding._detection_sample(data[:size])) == "utf-8"


@given(st.text(), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_any_text_round_trips(text: str, encoding: str) -> None:
    # A UTF-8 file that starts with U+FEFF *is* BOM-marked; a UTF-16 one starting with NUL
    # reads as a UTF-32 BOM (and a NUL-led file is binary anyway).
    assume(not (encoding == "utf-8" and text.startswith("\ufeff")))
    assume(not (encoding == "utf-16" and text.startswith("\0")))
    assert decode_bytes(text.encode(encoding)).text == normalise_newlines(text)


# --- newlines and tabs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one\r\ntwo\r\n", "one\ntwo\n"),
        ("one\rtwo\r", "one\ntwo\n"),
        ("a\r\nb\rc\nd\r\r\ne", "a\nb\nc\nd\n\ne"),
        ("\r\n\r\n", "\n\n"),
        ("no newline at all", "no newline at all"),
    ],
    ids=["crlf", "cr", "mixed", "only-crlf", "none"],
)
def test_newlines_become_lf(raw: str, expected: str) -> None:
    assert normalise_newlines(raw) == expected
    assert decode_bytes(raw.encode()).text == expected


def test_tabs_expand_to_stops_of_four_per_line() -> None:
    assert normalise_newlines("a\tb\nabcd\te\r\n\tf") == "a   b\nabcd    e\n    f"


# --- binary sniffing ----------------------------------------------------------------------


def test_binary_data_is_recognised() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    assert looks_binary(png)
    assert looks_binary(bytes(range(1, 32)) * 10)  # control bytes without any NUL


def test_text_is_not_binary() -> None:
    assert not looks_binary(b"")
    assert not looks_binary(ENGLISH.encode())
    assert not looks_binary(b"a \x1b[31mred\x1b[0m line\twith\ftabs\r\n" * 4)
    assert not looks_binary(codecs.BOM_UTF16_LE + ENGLISH.encode("utf-16-le"))
    assert not looks_binary(codecs.BOM_UTF32_BE + ENGLISH.encode("utf-32-be"))


# --- files --------------------------------------------------------------------------------


def test_read_text_file_decodes_and_normalises(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.txt", "Line one\r\nLine two – “quoted”\r\n".encode("cp1252"))
    assert read_text_file(path, max_bytes=LIMIT) == DecodedText(
        "Line one\nLine two – “quoted”\n", "cp1252"
    )


def test_empty_file_is_empty_text(tmp_path: Path) -> None:
    assert read_text_file(write(tmp_path, "empty.txt", b""), max_bytes=LIMIT).text == ""


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    with pytest.raises(DocumentError) as caught:
        read_text_file(path, max_bytes=LIMIT)
    assert caught.value.reason == "binary file"


def test_too_large_file_is_refused_with_sizes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"x" * 3000)
    with pytest.raises(DocumentError) as caught:
        read_text_file(path, max_bytes=1024)
    assert caught.value.reason == "too large (2.9 KB > 1.0 KB limit)"


def test_too_large_reason_reads_like_the_spec() -> None:
    mib = 1024 * 1024
    assert decoding._too_large_reason(312 * mib, 256 * mib) == "too large (312 MB > 256 MB limit)"
    # Sizes that round alike are spelt out, so the message never says "256 MB > 256 MB".
    assert decoding._too_large_reason(256 * mib + 1, 256 * mib) == (
        "too large (268,435,457 bytes > 268,435,456 bytes limit)"
    )


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        read_text_file(tmp_path / "gone.txt", max_bytes=LIMIT)
    assert caught.value.reason == "file not found"
    assert caught.value.path == str(tmp_path / "gone.txt")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DocumentError) as caught:
        read_text_file(tmp_path / "folder.txt", max_bytes=LIMIT)
    assert caught.value.reason == "not a file (a folder)"


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.txt", b"text")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DocumentError) as caught:
        read_text_file(path, max_bytes=LIMIT)
    assert caught.value.reason == "not readable: permission denied"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_file_without_read_permission_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", b"text")
    path.chmod(0)
    try:
        with pytest.raises(DocumentError) as caught:
            read_text_file(path, max_bytes=LIMIT)
        assert caught.value.reason == "not readable: permission denied"
    finally:
        path.chmod(0o600)


# --- large files, streamed in chunks ------------------------------------------------------

STREAM_CASES = [
    pytest.param(("plain ascii text\r\n" * 40).encode(), id="ascii"),
    pytest.param(LATIN1.encode("latin-1"), id="latin-1"),
    pytest.param(ENGLISH.encode("cp1252"), id="cp1252"),
    pytest.param(("naïve “BMP” 中文\r\n" * 30).encode(), id="bmp"),
    pytest.param(("astral 😀𝄞 and ascii\n" * 30).encode(), id="astral"),
    pytest.param(("ascii start\n" * 30 + "then 😀\n").encode(), id="ascii-then-astral"),
    pytest.param(codecs.BOM_UTF16_LE + ("utf-16 “text”\r\n" * 30).encode("utf-16-le"), id="utf16"),
    pytest.param(("a\tb\tc\r\n\tx\tyz\t\n" * 30).encode(), id="tabs"),
]


@pytest.mark.parametrize("data", STREAM_CASES)
@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_streamed_file_equals_plain_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, chunk: int
) -> None:
    expected = decode_bytes(data)
    monkeypatch.setattr(decoding, "_LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(decoding, "_CHUNK_BYTES", chunk)
    streamed = read_text_file(write(tmp_path, "doc.txt", data), max_bytes=LIMIT)
    assert streamed == expected
    assert hash(streamed.text) == hash(expected.text)
    # Same size means the same internal kind: CPython compares strs of different kinds as
    # unequal, so a wrong kind would be a text that never matches anything.
    assert sys.getsizeof(streamed.text) == sys.getsizeof(expected.text)


def test_crlf_split_across_chunks_is_one_newline(tmp_path: Path, streamed: None) -> None:
    data = b"abcdef\r\nghijkl\r\n\r"  # chunks of 7 bytes: "abcdef\r" | "\nghijkl" | ...
    assert read_text_file(write(tmp_path, "doc.txt", data), max_bytes=LIMIT).text == (
        "abcdef\nghijkl\n\n"
    )


def test_streamed_utf8_that_turns_out_cp1252_is_decoded_again(
    tmp_path: Path, streamed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks big enough that the bytes around the failure give the guess some context.
    monkeypatch.setattr(decoding, "_CHUNK_BYTES", 512)
    monkeypatch.setattr(decoding, "_SAMPLE_HEAD_BYTES", 64)
    monkeypatch.setattr(decoding, "_SAMPLE_MIDDLE_BYTES", 64)
    data = b"ascii only line\n" * 100 + "“Quoted” it’s.\n".encode("cp1252")
    decoded = read_text_file(write(tmp_path, "doc.txt", data), max_bytes=LIMIT)
    assert decoded.encoding == "cp1252"
    assert decoded.text == "ascii only line\n" * 100 + "“Quoted” it’s.\n"


def test_streamed_guess_after_a_failure_near_a_chunk_edge_sees_the_text_beyond_it(
    tmp_path: Path, streamed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first non-UTF-8 byte sits two bytes before the end of a chunk. The guess used to
    # see only that chunk (ASCII and two Cyrillic letters) and read the Russian as cp1252
    # mojibake; read whole, the same bytes are cp1251.
    monkeypatch.setattr(decoding, "_CHUNK_BYTES", 1024)
    monkeypatch.setattr(decoding, "_SAMPLE_HEAD_BYTES", 64)
    monkeypatch.setattr(decoding, "_SAMPLE_MIDDLE_BYTES", 64)
    data = b"ascii only line\n" * 63 + b"abcdefghijklmn" + RUSSIAN.encode("cp1251")
    assert data.index(RUSSIAN.encode("cp1251")) == 1022
    decoded = read_text_file(write(tmp_path, "doc.txt", data), max_bytes=LIMIT)
    assert decoded == decode_bytes(data)
    assert decoded.text.endswith(RUSSIAN)


def test_streamed_file_smaller_than_the_sample_is_sampled_like_a_whole_file(
    tmp_path: Path, streamed: None
) -> None:
    # Found by fuzzing: the head and a "middle" slice that repeated it were sampled, and the
    # guess (cp1251 here) differed from the one decode_bytes makes (cp932) for the same bytes.
    data = b"\t\t  \x81@"
    decoded = read_text_file(write(tmp_path, "doc.txt", data), max_bytes=LIMIT)
    assert decoded == decode_bytes(data)


def test_streamed_utf8_cut_short_keeps_the_text(tmp_path: Path, streamed: None) -> None:
    data = ("ünïcode line\n" * 20).encode() + "é".encode()[:1]
    decoded = read_text_file(write(tmp_path, "doc.txt", data), max_bytes=LIMIT)
    assert decoded == DecodedText("ünïcode line\n" * 20 + "\ufffd", "utf-8")


def test_streamed_binary_file_is_refused(tmp_path: Path, streamed: None) -> None:
    with pytest.raises(DocumentError) as caught:
        read_text_file(write(tmp_path, "doc.txt", b"\0\1\2\3" * 100), max_bytes=LIMIT)
    assert caught.value.reason == "binary file"


@pytest.mark.skipif(text_assembly._STR_API is None, reason="needs CPython's str C API")
def test_assembly_builds_the_str_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_join(pieces: list[str]) -> str:
        raise AssertionError("fell back to str.join")

    monkeypatch.setattr(text_assembly, "_join", no_join)
    for pieces in (["ab", "cd"], ["ab", "é"], ["é", "“", "x"], ["x", "😀", "“"], ["ÿ", "a"]):
        expected = "".join(pieces)
        result = text_assembly.assemble(list(pieces))
        assert result == expected
        assert hash(result) == hash(expected)
        assert sys.getsizeof(result) == sys.getsizeof(expected)


@pytest.mark.skipif(text_assembly._STR_API is None, reason="needs CPython's str C API")
def test_assembly_falls_back_when_a_copy_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    assert text_assembly._STR_API is not None
    new, copy = text_assembly._STR_API
    calls = []

    def failing_copy(*args: object) -> int:
        calls.append(args)
        if len(calls) == 2:
            return -1
        return copy(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(text_assembly, "_STR_API", (new, failing_copy))
    pieces = ["first “piece” ", "second ", "third 😀"]
    assert text_assembly.assemble(list(pieces)) == "".join(pieces)


def test_assembly_without_the_c_api_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_assembly, "_STR_API", None)
    assert text_assembly.assemble(["a", "é", "😀"]) == "aé😀"


@pytest.mark.skipif(
    text_assembly._STR_API is None
    or text_assembly._TRIM_HEAP is None
    or not Path("/proc/self").is_dir(),
    reason="the memory saving relies on CPython and glibc; measured through /proc",
)
def test_large_file_peak_memory_stays_near_the_text_size(tmp_path: Path) -> None:
    # 48 MB of cp1252 with curly quotes: the text takes 96 MB (two bytes per character).
    # "".join would hold all the pieces and the result at once: about twice that.
    path = write(tmp_path, "big.txt", ENGLISH.encode("cp1252") * 42_000)
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from readertui.core.decoding import read_text_file
        page = os.sysconf("SC_PAGE_SIZE")
        before = int(Path("/proc/self/statm").read_text().split()[1]) * page
        text = read_text_file(Path({str(path)!r}), max_bytes=1 << 30).text
        # VmHWM, not ru_maxrss: after vfork and exec, ru_maxrss starts from the parent's
        # (pytest's) peak, which has nothing to do with this process.
        status = Path("/proc/self/status").read_text()
        peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
        print(sys.getsizeof(text), peak - before)
        """
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    text_size, growth = map(int, output.split())
    assert text_size > 90_000_000
    assert growth < 1.4 * text_size


# --- the Gutenberg corpus -----------------------------------------------------------------


def test_war_and_peace_decodes_as_cp1252(corpus: Path) -> None:
    decoded = read_text_file(corpus / "pg2600.txt", max_bytes=LIMIT)
    assert decoded.encoding == "cp1252"
    assert decoded.text.startswith("“Well, Prince, so Genoa and Lucca are now just family estates")
    assert "don’t tell me that this means war" in decoded.text
    assert "\ufffd" not in decoded.text


@pytest.mark.parametrize("name", ["pg1399.txt", "pg2554.txt"])
def test_other_gutenberg_texts_decode_cleanly(corpus: Path, name: str) -> None:
    decoded = read_text_file(corpus / name, max_bytes=LIMIT)
    assert decoded.encoding == "cp1252"
    assert "\ufffd" not in decoded.text
    assert "’" in decoded.text


def test_war_and_peace_streamed_equals_read_whole(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = read_text_file(corpus / "pg2600.txt", max_bytes=LIMIT)
    monkeypatch.setattr(decoding, "_LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(decoding, "_CHUNK_BYTES", 100_003)
    assert read_text_file(corpus / "pg2600.txt", max_bytes=LIMIT) == whole
