"""Speed-ups of planning and rendering give exactly what the straightforward code gives, on tricky inputs.

Each test compares a sped-up function with the plain implementation it replaced (kept here as the
reference), so a future edit to either side that changes output fails here, not in a site.
"""

from __future__ import annotations

import html
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.urls import _ROOT_RELATIVE, _SAFE, UrlBuilder, encode_path, encode_tail

TRICKY = list("/خبر-غزة٣۹ـًّ\u200c\u200f «»،؟!?#%&'()*+,;=:@$-._~ \t\"<>[]{}|\\^`\x00\x7f"
              "ABCxyz09é😀\u0301") + ["%D8%A7", "//", "https:", "mailto:x@y", "../", "%"]
PATHS = st.lists(st.sampled_from(TRICKY) | st.characters(blacklist_categories=("Cs",)),
                 max_size=25).map("".join)
BASES = ["https://example.org/", "https://example.org/akhbar/", "https://example.org/akhbar",
         "http://localhost:8000/sub/dir/", "https://example.org"]


def reference_href(base_url: str, path: str) -> str:
    """UrlBuilder.href as first written: urlsplit on every call, quote() byte by byte."""
    if urlsplit(path).scheme or path.startswith("//"):
        return path
    base = urlsplit(base_url).path or "/"
    base = base if base.endswith("/") else base + "/"
    return quote(base + path.lstrip("/"), safe=_SAFE)


def reference_absolute(base_url: str, path: str) -> str:
    if urlsplit(path).scheme:
        return path
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}" + reference_href(base_url, path)


@settings(max_examples=400, deadline=None)
@given(PATHS)
def test_encode_path_is_quote(path):
    assert encode_path(path) == quote(path, safe=_SAFE)


@pytest.mark.parametrize("path", ["", "/", "/tags/غزة/page/2/", "/a b/%41/", "٣/é/😀", "/x?y#z",
                                  "\u200f/خبر\u0301", "~user/_x.-", "/+,;=:@!$&'()*/"])
def test_encode_path_examples(path):
    assert encode_path(path) == quote(path, safe=_SAFE)


def test_encode_path_refuses_lone_surrogates_like_quote():
    with pytest.raises(UnicodeEncodeError):
        quote("/\ud800/", safe=_SAFE)
    with pytest.raises(UnicodeEncodeError):
        encode_path("/\ud800/")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BASES), PATHS)
def test_href_and_absolute_match_the_plain_versions(base_url, path):
    urls = UrlBuilder(base_url)
    assert urls.href(path) == reference_href(base_url, path)
    assert urls.absolute(path) == reference_absolute(base_url, path)


def reference_rebase(urls: UrlBuilder, body: str) -> str:
    def rebase(raw: str) -> str:
        value = html.unescape(raw)
        cut = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
        return urls.href(unquote(value[:cut])) + encode_tail(value[cut:])

    return _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{html.escape(rebase(m.group(2)))}"', body)


BODIES = ['<p>نص <a href="/about/">من نحن</a> و<img src="/images/x.svg" alt=""></p>',
          '<p><a href="//cdn.example/x">x</a> <a href="https://x.org/">y</a> <a href="#fn">1</a></p>',
          '<p>data-href="/x/" and srcset="/a.png" and href = "/spaced/"</p>',
          '<p>no links at all, just ="/ in text and =" / spaced</p>',
          '<a href="/%D8%AE%D8%A8%D8%B1/?q=غزة&amp;p=2#فقرة">x</a>', ""]


@pytest.mark.parametrize("base_url", BASES[:3])
@pytest.mark.parametrize("body", BODIES)
def test_rebase_and_absolutize_match_the_regex_on_every_body(base_url, body):
    urls = UrlBuilder(base_url)
    assert urls.rebase_html(body) == reference_rebase(urls, body)
    assert urls.absolutize_html(body) == _ROOT_RELATIVE.sub(
        lambda m: f'{m.group(1)}="{urls.origin}{m.group(2)}"', body)
