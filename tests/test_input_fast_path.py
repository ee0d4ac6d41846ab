"""The input guard's fast path (competition.inputs._may_hold_bad_text): a JSON body it lets through
without walking holds no text the guard refuses, however the body was encoded."""
from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from competition.inputs import MAX_TEXT, _may_hold_bad_text, find_problems

# Any character, with the refused ones and their neighbours drawn often.
EDGES = "\x00\x01\x08\t\n\x0b\r\x1f\x7f\x80\x85\x9f\xa0\ud7ff\ud800\udbff\udc00\udfff\ue000\u4e2d"
characters = st.characters(codec=None, exclude_categories=()) | st.sampled_from(EDGES)
texts = st.lists(characters, max_size=40).map("".join)  # st.text() seldom draws surrogates
values = st.recursive(st.none() | st.booleans() | st.integers() | texts,
                      lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
                      max_leaves=12)


@settings(max_examples=500)
@given(values, st.booleans(), st.sampled_from([None, 2]))
def test_a_body_let_through_unwalked_holds_no_bad_text(value, ascii_only, indent):
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode("utf-8", "surrogatepass")
    if find_problems(value):
        assert _may_hold_bad_text(raw)


def test_an_ordinary_mark_is_not_walked_and_bad_ones_are():
    assert not _may_hold_bad_text(b'{"competitor_id": 7, "aspect_code": "A1", "value": "8.5"}')
    assert not _may_hold_bad_text('{"name": "张三"}'.encode())
    for body in ['{"a": "\\u0000"}', '{"a": "\\ud800"}', '{"a": "x\\r\\ny"}', '{"a": "\\b"}', '{"a": "\\f"}',
                 '{"a": "\u0085"}', '{"a": "\x7f"}', '{"a": "\ud800"}', '{"a": "\udfff"}']:
        assert _may_hold_bad_text(body.encode("utf-8", "surrogatepass")), body
    assert _may_hold_bad_text('{"a": "x"}'.encode("utf-16"))
    assert _may_hold_bad_text(json.dumps({"a": "x" * (MAX_TEXT + 1)}).encode())
