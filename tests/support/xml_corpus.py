"""Hostile XML: what an attacker uploads as a BPMN or DMN model. Each entry must be refused.

Extends the small corpus of tests/services/test_deploy.py (which checks the parser's Dutch reasons)
with the variants that slip past naive checks: an external DTD, parameter entities, a DOCTYPE after a
long comment (past the first 4 KB the parser's quick check reads), the same attacks in UTF-16 (no
ASCII ``<!ENTITY`` to find), quadratic blow-up, depth beyond the parser's own limit, and a body of
50 MB (beyond the request limit).
"""

from __future__ import annotations

BPMN_NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
PROCESS = ('<bpmn:process id="vijandig" isExecutable="true"><bpmn:documentation>{body}</bpmn:documentation>'
           '<bpmn:startEvent id="start"/></bpmn:process>')


def _model(body: str, doctype: str = "", prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}{doctype}'
            f'<bpmn:definitions {BPMN_NS} id="d" targetNamespace="x">{PROCESS.format(body=body)}'
            "</bpmn:definitions>")


def _billion_laughs() -> str:
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return _model("&l9;", f"<!DOCTYPE bpmn:definitions [{''.join(entities)}]>")


def _quadratic_blowup() -> str:
    # One 50 KB entity referenced 40,000 times: 120 KB of document, 2 GB once expanded; no nesting
    # for an expansion counter to notice.
    return _model("&a;" * 40_000, f'<!DOCTYPE bpmn:definitions [<!ENTITY a "{"x" * 50_000}">]>')


XXE_FILE = _model("&x;", '<!DOCTYPE bpmn:definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]>')

TEXT: dict[str, str] = {
    "xxe-file": XXE_FILE,
    "xxe-parameter-entity": _model(
        "x", '<!DOCTYPE bpmn:definitions [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'),
    "xxe-external-dtd": _model("x", '<!DOCTYPE bpmn:definitions SYSTEM "http://127.0.0.1:9/model.dtd">'),
    "xxe-after-long-comment": _model("&x;", '<!DOCTYPE bpmn:definitions SYSTEM "file:///etc/passwd">',
                                     prolog="<!--" + "opvulling " * 600 + "-->"),
    "billion-laughs": _billion_laughs(),
    "quadratic-blowup": _quadratic_blowup(),
    "deep-nesting-300": _model("<a>" * 300 + "</a>" * 300),
    "deep-nesting-100000": _model("<a>" * 100_000 + "</a>" * 100_000),
    "unclosed": _model("x")[:-20],
    "html": "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "json": '{"bpmn:definitions": {"process": "vijandig"}}',
}

CORPUS: dict[str, bytes] = {name: text.encode("utf-8") for name, text in TEXT.items()}
CORPUS.update({
    # The same attacks in UTF-16: a byte search for "<!ENTITY" finds nothing; the parser must still refuse.
    "xxe-file-utf16": XXE_FILE.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    "billion-laughs-utf16": _billion_laughs().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    "empty": b"",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "nul-bytes": b"<bpmn:definitions\x00\x00>" * 10,
})

# Beyond the request limit (MAX_CONTENT_LENGTH, 21 MB by default): refused with 413 before it is read.
FIFTY_MB = 50 * 1024 * 1024


def fifty_megabytes() -> bytes:
    return _model("").encode()[:-len("</bpmn:definitions>")] + b"<!--" + b"x" * FIFTY_MB + b"-->"


# What must never come back in an answer: the first line of /etc/passwd, or an expanded entity.
LEAK_MARKERS = ("root:x:0:0", "lollollol", "x" * 1000)
