"""A document's metadata (title, authors, publication…) from its sidecar, front matter or text.

Sources, per field, in order: a `<filename>.meta.toml` sidecar beside the document, YAML-style
front matter at the top of the text, a Project Gutenberg header (`Title:` and `Author:` lines
near the top), and for the title a guess from the text or else the file name made readable
(`war_and_peace.txt` -> "War and Peace"): never a sentence of the text.
"""

import datetime
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

SIDECAR_SUFFIX = ".meta.toml"

# The longest first line still taken as a title; longer ones are prose.
_MAX_TITLE_LINE = 100
# A Project Gutenberg header's `Title:` and `Author:` lines are looked for this far.
_MAX_HEADER_LINES = 100
_HEADER_LINE = re.compile(r"(Title|Authors?):[ \t]*(.*)")
# A line ending so (before any closing quotes or brackets) is a sentence, not a title.
_SENTENCE_END = tuple(".,;:…")
_CLOSING = "”’\"')]»"
_OPENING_QUOTES = "“‘\"'«„"
# Words a title in English leaves in lower case (but for the first).
_SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "the", "to", "with",
})  # fmt: skip
# A first line of more words than this is prose, however it ends.
_MAX_TITLE_WORDS = 12
# A "---" rule followed by a long document is not front matter; stop looking after this.
_MAX_FRONT_MATTER_LINES = 200
_TEXT_FIELDS = ("title", "publication", "date", "source")

_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?")
_LIST_ITEM = re.compile(r"[ \t]*-(?:[ \t]+(.*))?")
_AUTHOR_SEPARATOR = re.compile(r"\s*;\s*|\s+and\s+")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LEVEL1_HEADING = re.compile(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_DOUBLE_QUOTED_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t"}


class DocumentMetadata(NamedTuple):
    """What the library pane and the reader's title line show about a document."""

    title: str
    authors: tuple[str, ...] = ()
    publication: str = ""
    date: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    # Lines of the text that are site boilerplate ("Skip to main content"): shown dim, never
    # in the outline. Each is a whole line, compared with the blanks around it left out.
    skip_lines: tuple[str, ...] = ()
    # A web page shown whole (every text of the page) instead of its extracted article: the
    # sidecar's `whole_page = true` (readertui.formats.converted).
    whole_page: bool = False

    def byline(self) -> str:
        """The byline "Author One, Author Two · Publication · Date", without unknown parts."""
        parts = (", ".join(self.authors), self.publication, self.date)
        return " · ".join(part for part in parts if part)


def sidecar_path(document_path: Path) -> Path:
    """Where the metadata sidecar of `document_path` lives: `<dir>/<filename>.meta.toml`."""
    return document_path.with_name(document_path.name + SIDECAR_SUFFIX)


def parse_front_matter(text: str) -> tuple[dict[str, object], int]:
    """The front matter mapping at the top of `text` and the offset where the body starts.

    Front matter sits between a first line `---` and the next `---` line. Supported: `key:
    value`, quoted values, inline lists `[a, b]` and block lists of `- item` lines. Values are
    strings or lists of strings. Anything else gives ({}, 0): never an error, since a text
    may simply begin with a horizontal rule.
    """
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip() != "---":
        return {}, 0
    lines: list[str] = []
    position = first_end + 1
    while len(lines) <= _MAX_FRONT_MATTER_LINES:
        end = text.find("\n", position)
        line = text[position:] if end == -1 else text[position:end]
        if line.rstrip() in ("---", "..."):
            mapping = _parse_front_matter_lines(lines)
            if mapping is None:
                return {}, 0
            return mapping, len(text) if end == -1 else end + 1
        if end == -1:
            return {}, 0
        lines.append(line)
        position = end + 1
    return {}, 0


def read_metadata(path: Path, head: str) -> DocumentMetadata:
    """The metadata of the document at `path`, whose text starts with `head` (a few KB).

    A sidecar that cannot be read or parsed is ignored (see `sidecar_problem`).
    """
    return metadata_and_problem(path, head)[0]


def metadata_and_problem(path: Path, head: str) -> tuple[DocumentMetadata, str | None]:
    """`read_metadata`, and `sidecar_problem`, from one read of the sidecar."""
    sidecar_fields, problem = _read_sidecar(path)
    front_matter, body_start = parse_front_matter(head)
    fields = {**_metadata_fields(front_matter, []), **sidecar_fields}
    body = head[body_start:]
    header_title, header_authors = _gutenberg_header(body)
    title = fields.get("title")
    authors = fields.get("authors", header_authors)
    tags = fields.get("tags", ())
    skip_lines = fields.get("skip_lines", ())
    metadata = DocumentMetadata(
        title=title if isinstance(title, str) else header_title or _fallback_title(path, body),
        authors=authors if isinstance(authors, tuple) else (),
        publication=_text_field(fields, "publication"),
        date=_text_field(fields, "date"),
        source=_text_field(fields, "source"),
        tags=tags if isinstance(tags, tuple) else (),
        skip_lines=skip_lines if isinstance(skip_lines, tuple) else (),
    )
    return metadata, problem


def converted_metadata_and_problem(
    path: Path, described: Mapping[str, str | tuple[str, ...]]
) -> tuple[DocumentMetadata, str | None]:
    """The metadata of a converted document (an EPUB, a web page, a PDF): what the file says
    of itself (`described`: title, authors, publication, date, source), each field overridden
    by the sidecar's, the title falling back to the file name made readable; and why the
    sidecar is (partly) ignored, if it is. The sidecar's `whole_page` is read too."""
    data, problem = _sidecar_data(path)
    problems: list[str] = []
    fields = {**described, **_metadata_fields(data, problems)}
    whole_page = False
    if "whole_page" in data:
        if isinstance(data["whole_page"], bool):
            whole_page = data["whole_page"]
        else:
            problems.append("whole_page must be true or false")
    if problems and problem is None:
        problem = f"metadata sidecar partly ignored: {'; '.join(problems)}"
    title = fields.get("title")
    authors = fields.get("authors", ())
    tags = fields.get("tags", ())
    skip_lines = fields.get("skip_lines", ())
    metadata = DocumentMetadata(
        title=title if isinstance(title, str) and title else _readable_name(path),
        authors=authors if isinstance(authors, tuple) else (),
        publication=_text_field(fields, "publication"),
        date=_text_field(fields, "date"),
        source=_text_field(fields, "source"),
        tags=tags if isinstance(tags, tuple) else (),
        skip_lines=skip_lines if isinstance(skip_lines, tuple) else (),
        whole_page=whole_page,
    )
    return metadata, problem


def write_whole_page(path: Path, whole_page: bool) -> None:
    """Set `whole_page` in the sidecar of the document at `path` (creating the sidecar if
    there is none), changing nothing else in it: its other lines and comments stay.

    Raises OSError when the sidecar cannot be written, ValueError when it is not TOML that
    can be read (it is left as it is).
    """
    import tomllib

    sidecar = sidecar_path(path)
    try:
        text = sidecar.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError:
        raise ValueError("the metadata sidecar is not UTF-8 text") from None
    setting = f"whole_page = {'true' if whole_page else 'false'}"
    # Top-level keys come before the first [table]; only those lines are looked at.
    table = re.search(r"^[ \t]*\[", text, re.MULTILINE)
    top, rest = (text[: table.start()], text[table.start() :]) if table else (text, "")
    line = re.compile(r"^[ \t]*whole_page[ \t]*=.*$", re.MULTILINE)
    if line.search(top):
        top = line.sub(setting, top, count=1)
    else:
        if top and not top.endswith("\n"):
            top += "\n"
        top += setting + "\n"
    changed = top + rest
    try:
        if tomllib.loads(changed).get("whole_page") is not whole_page:
            raise ValueError("the metadata sidecar's whole_page line cannot be changed")
    except tomllib.TOMLDecodeError as error:
        raise ValueError(
            f"the metadata sidecar is not valid TOML ({_one_line(str(error))})"
        ) from None
    _write_atomically(sidecar, changed.encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise


def sidecar_problem(path: Path) -> str | None:
    """A one-line message if the sidecar of the document at `path` is (partly) ignored."""
    return _read_sidecar(path)[1]


# --- sidecar ------------------------------------------------------------------------------


def _read_sidecar(path: Path) -> tuple[dict[str, str | tuple[str, ...]], str | None]:
    """The sidecar's usable fields and, if some or all of it was ignored, why."""
    data, problem = _sidecar_data(path)
    if problem is not None:
        return {}, problem
    problems: list[str] = []
    fields = _metadata_fields(data, problems)
    if problems:
        return fields, f"metadata sidecar partly ignored: {'; '.join(problems)}"
    return fields, None


def _sidecar_data(path: Path) -> tuple[dict[str, object], str | None]:
    """The sidecar's TOML table ({} when there is none) and why it is ignored, if it is."""
    sidecar = sidecar_path(path)
    try:
        raw = sidecar.read_bytes()
    except FileNotFoundError:
        return {}, None
    except PermissionError:
        return {}, "metadata sidecar ignored: not readable (permission denied)"
    except IsADirectoryError:
        return {}, "metadata sidecar ignored: it is a folder"
    except OSError as exc:
        return {}, f"metadata sidecar ignored: not readable ({exc.strerror or exc})"
    import tomllib  # only when a document has a sidecar: not on start-up's path otherwise

    try:
        # utf-8-sig: editors on Windows like to start files with a BOM, which TOML forbids.
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return {}, "metadata sidecar ignored: not UTF-8 text"
    except tomllib.TOMLDecodeError as exc:
        return {}, f"metadata sidecar ignored: {_one_line(str(exc))}"
    return data, None


def _one_line(message: str) -> str:
    return " ".join(message.split())


# --- fields -------------------------------------------------------------------------------


def _metadata_fields(
    mapping: Mapping[str, object], problems: list[str]
) -> dict[str, str | tuple[str, ...]]:
    """The metadata fields found in a sidecar or front matter mapping, with clean types.

    Keys are matched case-insensitively. A value of the wrong type is left out and described
    in `problems`. Empty values count as missing, so the next source can fill them.
    """
    values = {key.lower(): value for key, value in mapping.items()}
    fields: dict[str, str | tuple[str, ...]] = {}
    for name in _TEXT_FIELDS:
        if name not in values:
            continue
        text = _as_text(values[name])
        if text is None:
            problems.append(f"{name} must be text")
        elif text:
            fields[name] = text
    for key in ("authors", "author"):
        if key in values:
            authors = _as_list(values[key], _AUTHOR_SEPARATOR)
            if authors is None:
                problems.append(f"{key} must be text or a list of text")
            elif authors:
                fields["authors"] = authors
            break
    if "tags" in values:
        tags = _as_list(values["tags"], re.compile(r"\s*,\s*"))
        if tags is None:
            problems.append("tags must be text or a list of text")
        elif tags:
            fields["tags"] = tags
    if "skip_lines" in values:
        raw = values["skip_lines"]
        # Lines of text only: a number or a date is no line of the document.
        if isinstance(raw, list) and all(isinstance(line, str) for line in raw):
            fields["skip_lines"] = tuple(line.strip() for line in raw if line.strip())
        else:
            problems.append("skip_lines must be a list of text")
    return fields


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.date | datetime.time):
        # TOML has native dates (date = 2025-06-27); show them the way they were written.
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # date = 2025
    return None


def _as_list(value: object, separator: re.Pattern[str]) -> tuple[str, ...] | None:
    if isinstance(value, list):
        items = [_as_text(item) for item in value]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item)
    text = _as_text(value)
    if text is None:
        return None
    return tuple(part.strip() for part in separator.split(text) if part.strip())


def _text_field(fields: Mapping[str, str | tuple[str, ...]], name: str) -> str:
    value = fields.get(name, "")
    return value if isinstance(value, str) else ""


# --- fallback title -----------------------------------------------------------------------


def _gutenberg_header(body: str) -> tuple[str, tuple[str, ...]]:
    """The title and authors of a Project Gutenberg header's `Title:` and `Author:` lines in
    the first lines of `body` (a value may run on to indented lines), or ("", ())."""
    found: dict[str, str] = {}
    lines = body.splitlines()[:_MAX_HEADER_LINES]
    for index, line in enumerate(lines):
        match = _HEADER_LINE.fullmatch(line.rstrip())
        if match is None or match.group(1).rstrip("s") in found:
            continue
        parts = [match.group(2)]
        for more in lines[index + 1 :]:
            if not more[:1].isspace() or not more.strip():
                break
            parts.append(more)
        found[match.group(1).rstrip("s")] = " ".join(" ".join(parts).split())
    authors = _AUTHOR_SEPARATOR.split(found.get("Author", ""))
    return found.get("Title", ""), tuple(author for author in authors if author)


def _fallback_title(path: Path, body: str) -> str:
    """The first `# heading`, else a first line that stands as a title, else the file name
    made readable."""
    lines = body.splitlines()
    heading = _first_level1_heading(lines)
    if heading:
        return heading
    for index, line in enumerate(lines):
        if line.strip():
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if _stands_as_title(line.strip(), following):
                return line.strip()
            break
    return _readable_name(path)


def _stands_as_title(line: str, following: str) -> bool:
    """Whether a first line is a title: short, a paragraph of its own, and no sentence (it
    does not end as one, and it is not a line of dialogue)."""
    if len(line) > _MAX_TITLE_LINE or len(line.split()) > _MAX_TITLE_WORDS or following.strip():
        return False
    if line.startswith(tuple(_OPENING_QUOTES)):
        return False
    return not line.rstrip(_CLOSING).endswith(_SENTENCE_END)


def _readable_name(path: Path) -> str:
    """The file name as a title: `war_and_peace.txt` -> "War and Peace"; a name with capitals
    of its own keeps them, and a word with digits stays as it is (`pg2600`)."""
    words = re.sub(r"[-_]+", " ", path.stem).split()
    if not words:
        return path.name
    if any(char.isupper() for char in path.stem):
        return " ".join(words)
    return " ".join(
        word.capitalize() if word.isalpha() and (index == 0 or word not in _SMALL_WORDS) else word
        for index, word in enumerate(words)
    )


def _first_level1_heading(lines: list[str]) -> str | None:
    fence = ""
    for line in lines:
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if not fence:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = ""
            continue
        if fence:
            continue
        heading = _LEVEL1_HEADING.fullmatch(line)
        if heading and heading.group(1).strip():
            return heading.group(1).strip()
    return None


# --- front matter -------------------------------------------------------------------------


def _parse_front_matter_lines(lines: list[str]) -> dict[str, object] | None:
    """The mapping the front matter lines describe, or None if they are not front matter."""
    mapping: dict[str, object] = {}
    key = ""  # the last top-level key
    block_list: list[str] | None = None  # where `- item` lines under `key:` go
    continues = False  # whether indented lines continue the value of `key`
    nested = False  # inside a nested mapping under `key`, which is not supported
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indented = line[0] in " \t"
        if nested and indented:
            continue
        item = _LIST_ITEM.fullmatch(line)
        if item is not None and block_list is not None:
            value = _parse_scalar((item.group(1) or "").strip())
            if value is None:
                return None
            block_list.append(value)
            continue
        if indented:
            if continues:
                # An indented line continues a plain or block value, as in YAML.
                mapping[key] = f"{mapping[key]} {stripped}".lstrip()
                continue
            if block_list == [] and _KEY_LINE.fullmatch(stripped):
                # `key:` followed by a nested mapping: drop that key, keep the rest.
                del mapping[key]
                block_list, nested = None, True
                continue
            return None
        pair = _KEY_LINE.fullmatch(line.rstrip())
        if pair is None:
            return None
        key, raw = pair.group(1), (pair.group(2) or "").strip()
        block_list, continues, nested = None, False, False
        if not raw or raw.startswith("#"):
            # A block list may follow; if none does, the empty list reads as a missing value.
            block_list = []
            mapping[key] = block_list
        elif raw[0] in "|>" and not _strip_comment(raw[1:].lstrip("+-0123456789")):
            mapping[key] = ""  # a block scalar; metadata is shown on one line, so lines join
            continues = True
        elif raw.startswith("["):
            inline = _parse_inline_list(raw)
            if inline is None:
                return None
            mapping[key] = inline
        else:
            value = _parse_scalar(raw)
            if value is None:
                return None
            mapping[key] = value
            continues = raw[0] not in "\"'"
    return mapping


def _parse_inline_list(raw: str) -> list[str] | None:
    raw = _strip_comment(raw)
    if not raw.endswith("]"):
        return None
    inner = raw[1:-1].strip()
    if not inner:
        return []
    items: list[str] = []
    for part in _split_outside_quotes(inner):
        value = _parse_scalar(part.strip())
        if value is None:
            return None
        items.append(value)
    return items


def _split_outside_quotes(text: str) -> list[str]:
    parts: list[str] = []
    quote = ""
    start = 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ",":
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _parse_scalar(raw: str) -> str | None:
    """A single value: quoted (with YAML's escapes) or plain (a trailing ` # comment` cut)."""
    if raw.startswith('"'):
        return _parse_double_quoted(raw)
    if raw.startswith("'"):
        end = 1
        while True:
            end = raw.find("'", end)
            if end == -1:
                return None
            if raw.startswith("''", end):
                end += 2
                continue
            break
        if _strip_comment(raw[end + 1 :]):
            return None
        return raw[1:end].replace("''", "'")
    if raw in ("~", "null"):
        return ""
    return _strip_comment(raw)


def _parse_double_quoted(raw: str) -> str | None:
    chars: list[str] = []
    index = 1
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            chars.append(_DOUBLE_QUOTED_ESCAPES.get(raw[index + 1], "\\" + raw[index + 1]))
            index += 2
            continue
        if char == '"':
            if _strip_comment(raw[index + 1 :]):
                return None
            return "".join(chars)
        chars.append(char)
        index += 1
    return None


def _strip_comment(raw: str) -> str:
    # YAML comments need whitespace before the "#": "C# in depth" keeps its "#".
    match = re.search(r"(?:^|[ \t])#", raw)
    return (raw[: match.start()] if match else raw).strip()
