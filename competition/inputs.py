"""One guard for every text that enters (api.md, Conventions: text and import limits).

Text anywhere (JSON body, query, form, path, multipart file names, file cells, socket payloads) that
holds NUL, an unpaired surrogate or a control character other than tab and newline is refused with 422
naming the field, on every database backend (PostgreSQL cannot store NUL, and a lone surrogate cannot
be encoded at all: both were 500s). No text is longer than the longest the API takes (reasons and
descriptions, 2,000 characters); narrower limits (names 200, codes 32) stay with each field's schema.
Codes (enterprise, component, module, aspect, award, bib, marking number) are 1–32 characters of
`A-Z a-z 0-9 . _ -`: `CODE_RE`.

`check_request` runs before every view (after authorisation: a caller who may not call an operation
learns nothing from a 422); `text_problem` and `find_problems` serve parsers and sockets.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import g, request

CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,32}", re.ASCII)
CODE_MESSAGE = "Must be 1 to 32 characters of A-Z a-z 0-9 . _ -."
MAX_TEXT = 2000
# C0 controls but tab and newline, DEL and C1 controls, and every surrogate code point: a str decoded
# from valid UTF-8 or from JSON holds a surrogate only when it is unpaired (a pair becomes one character).
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_MAX_ITEMS = 100_000  # a JSON body is at most 1 MiB: this bounds the walk, not the input


def safe_filename(name: str) -> str:
    """A file name fit for a Content-Disposition header: characters outside A-Z a-z 0-9 . _ - become
    "_" (a code stored before codes were restricted may hold CR LF, which no header may carry)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "download"


def text_problem(text: str) -> str | None:
    """Why `text` may not enter, or None."""
    bad = _BAD.search(text)
    if bad is not None:
        char = bad.group()
        if char == "\x00":
            return "Must not contain NUL characters."
        if "\ud800" <= char <= "\udfff":
            return "Must not contain unpaired surrogates."
        return "Must not contain control characters (tab and newline are allowed)."
    if len(text) > MAX_TEXT:
        return f"Longer than the maximum of {MAX_TEXT} characters."
    return None


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, text) of every string in a JSON value, keys included, iteratively."""
    stack = [(value, path)]
    seen = 0
    while stack and seen < _MAX_ITEMS:
        node, where = stack.pop()
        seen += 1
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            for key, child in node.items():
                child_path = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    yield child_path, key
                stack.append((child, child_path))
        elif isinstance(node, list):
            stack.extend((child, f"{where}.{index}" if where else str(index)) for index, child in enumerate(node))


def find_problems(value: Any, path: str = "") -> dict[str, list[str]]:
    """Field errors of every bad string in a JSON-like value (dotted paths, as the API's errors)."""
    errors: dict[str, list[str]] = {}
    for where, text in _walk(value, path):
        problem = text_problem(text)
        if problem is not None:
            errors.setdefault(_printable(where or "body"), []).append(problem)
    return errors


def _printable(name: str) -> str:
    """A field name fit to be echoed back: a bad key is named with its bad characters escaped."""
    return name if _BAD.search(name) is None else name.encode("unicode_escape", "backslashreplace").decode("ascii")


def request_problems() -> dict[str, list[str]]:
    """Field errors of the current request's texts: path, query, form, JSON body, file names, the
    Idempotency-Key header."""
    errors: dict[str, list[str]] = {}
    if request.view_args:
        path_texts = {k: v for k, v in request.view_args.items() if isinstance(v, str)}
        errors.update(find_problems(path_texts))
        # Bytes of a path that are not UTF-8 (a surrogate sent in a URL) arrive replaced by U+FFFD, which
        # no path parameter (codes, certificate numbers) holds otherwise.
        errors.update({name: [NOT_UTF8] for name, text in path_texts.items() if "\ufffd" in text})
    if request.query_string:
        errors.update(_undecodable(request.query_string))
        errors.update(find_problems(_multi(request.args)))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            errors.update(_undecodable(request.get_data(cache=True)))
        if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            errors.update(find_problems(_multi(request.form)))
            errors.update(find_problems({name: upload.filename or "" for name, upload in request.files.items()}))
        elif request.is_json and _may_hold_bad_text(request.get_data(cache=True)):
            body = request.get_json(silent=True)  # a malformed body is the view's 400
            if body is not None:
                errors.update(find_problems(body))
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        errors.update(find_problems({"Idempotency-Key": key}))
    return errors


# In a JSON text a bad character is escaped (\u0000, \ud800, \r, \b, \f) or written raw: a C0 control,
# DEL, a C1 control in UTF-8 (C2 80 to C2 9F), or a surrogate (ED A0 80 to ED BF BF, which Python's JSON
# decoder lets through). A body with none of these (nor the zero bytes of UTF-16 or UTF-32), too short
# to hold a text over the limit, holds no bad text: most requests (a judge's mark) skip the walk.
_SUSPECT_JSON = re.compile(rb"\\[ubfr]|[\x00-\x1f\x7f]|\xc2[\x80-\x9f]|\xed[\xa0-\xbf]")


def _may_hold_bad_text(raw: bytes) -> bool:
    return len(raw) > MAX_TEXT or _SUSPECT_JSON.search(raw) is not None


NOT_UTF8 = "Not valid UTF-8 text (an unpaired surrogate cannot be encoded)."


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _undecodable(raw: bytes) -> dict[str, list[str]]:
    """Fields of a query string or form body whose percent-decoded bytes are not UTF-8 (Werkzeug would
    quietly replace them; a surrogate sent in a URL arrives this way)."""
    if b"%" not in raw and _utf8(raw):
        return {}
    errors: dict[str, list[str]] = {}
    for part in raw.split(b"&"):
        key, _, value = part.partition(b"=")
        key, value = (unquote_to_bytes(x.replace(b"+", b" ")) for x in (key, value))
        if not (_utf8(key) and _utf8(value)):
            errors[_printable(key.decode("utf-8", "replace"))] = [NOT_UTF8]
    return errors


def _multi(values) -> dict[str, Any]:
    """A MultiDict as {name: [values]} (every repeated value checked), keys included."""
    return {name: items if len(items) > 1 else items[0] for name, items in values.lists()}


def read_unsized_body() -> None:
    """before_request, first after the body limit is chosen: a body sent without a length (chunked)
    is read here, up to one byte past the limit. Werkzeug would cut it at the limit without a word (a
    truncated JSON body, a 400); api.md wants 413, also when sent chunked. The 413 itself comes after
    authorisation (`check_request`): an anonymous caller learns 401 first."""
    if request.content_length is not None or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not request.environ.get("wsgi.input_terminated"):
        return  # no length and not chunked: no body (as Werkzeug reads it)
    limit = request.max_content_length
    stream = request.environ["wsgi.input"]
    data = bytearray()
    while limit is None or len(data) <= limit:
        chunk = stream.read(65536 if limit is None else min(65536, limit + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    too_large = limit is not None and len(data) > limit
    g.body_too_large = too_large
    request._cached_data = b"" if too_large else bytes(data)  # what get_data and form parsing read


def keep_form_body() -> None:
    """before_request, ahead of the CSRF check (which parses the form): keep a form body's bytes, so
    that `request_problems` can tell bytes that are not UTF-8 from a U+FFFD sent as such. Only
    url-encoded forms (a few KiB; every body is capped at 1 MiB)."""
    if request.mimetype == "application/x-www-form-urlencoded":
        request.get_data(cache=True)


def check_request() -> None:
    """before_request: refuse a request whose texts may not enter (422 naming the fields)."""
    if g.get("body_too_large"):
        from competition.errors import abort

        abort(413, f"The request body is larger than {request.max_content_length} bytes.")
    if request.endpoint is None or request.endpoint == "static":
        return
    errors = request_problems()
    if errors:
        from competition.errors import abort

        abort(422, "Some texts hold characters that are not allowed; see errors.", errors=errors)
