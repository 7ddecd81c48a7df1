"""libxml2's English parse errors in Dutch, for the people who upload a model.

lxml passes libxml2's own text ("Premature end of data in tag definitions line 2"). Each known
message is matched by a pattern and rewritten with what it names (a tag, an attribute, a line);
an unknown one becomes a general Dutch sentence, never English. The line of the error itself is
reported separately (``ModelProblem.line``), so it is stripped from the text.
"""

from __future__ import annotations

import re

_TRAILING_POSITION = re.compile(r",\s*line \d+,\s*column \d+\s*$")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), t) for p, t in (
    (r"^Document is empty", "het bestand is leeg"),
    (r"^Premature end of data in tag (\S+) line (\d+)",
     "het bestand houdt op midden in element '{0}' (geopend op regel {1}); het is afgebroken of onvolledig"),
    (r"^Premature end of data", "het bestand houdt plotseling op; het is afgebroken of onvolledig"),
    (r"^Start tag expected, '<' not found", "er staat geen XML in: het eerste element ('<…>') ontbreekt"),
    (r"^Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)",
     "element '{0}' (geopend op regel {1}) wordt gesloten met '{2}'"),
    (r"^Extra content at the end of the document", "na het laatste element staat nog tekst"),
    (r"^EntityRef: expecting ';'", "een '&' zonder afsluitende ';' (schrijf &amp; voor een losse &)"),
    (r"^xmlParseEntityRef: no name", "een losse '&' (schrijf &amp;)"),
    (r"^Entity '([^']+)' not defined", "onbekende entiteit '&{0};'"),
    (r"^attributes construct error", "de attributen van een element zijn onjuist geschreven"),
    (r"^Couldn't find end of Start Tag (\S+)", "de begintag van '{0}' wordt niet afgesloten"),
    (r"^Specification mandates value for attribute (\S+)", "attribuut '{0}' heeft geen waarde"),
    (r"^AttValue: \" or ' expected", "een attribuutwaarde staat niet tussen aanhalingstekens"),
    (r"^Attribute (\S+) redefined", "attribuut '{0}' staat twee keer in hetzelfde element"),
    (r"^Namespace prefix (\S+) for (\S+) on (\S+) is not defined",
     "voorvoegsel '{0}' (bij '{1}' op '{2}') is niet gedeclareerd"),
    (r"^Namespace prefix (\S+) on (\S+) is not defined", "voorvoegsel '{0}' van '{1}' is niet gedeclareerd"),
    (r"^Unescaped '<' not allowed in attributes values", "een '<' in een attribuutwaarde (schrijf &lt;)"),
    (r"^(?:PCDATA invalid Char value|Char 0x[0-9A-Fa-f]+ out of allowed range|invalid character in attribute)",
     "het bestand bevat een teken dat in XML niet mag"),
    (r"^(?:Input is not proper UTF-8|Invalid bytes in character encoding)",
     "het bestand is niet in de tekenset opgeslagen die het noemt (meestal UTF-8)"),
    (r"^Unsupported encoding (\S+)", "tekenset '{0}' wordt niet ondersteund"),
    (r"^Comment not terminated", "een commentaar (<!-- … -->) wordt niet afgesloten"),
    (r"^Sequence '\]\]>' not allowed in content", "']]>' mag niet in tekst staan"),
    (r"^StartTag: invalid element name", "een ongeldige elementnaam na '<'"),
    (r"^XML declaration allowed only at the start of the document",
     "de XML-declaratie (<?xml …?>) mag alleen helemaal aan het begin staan"),
    (r"^(?:Blank needed here|String not started expecting ' or \")", "de XML-declaratie is onjuist geschreven"),
    (r"^Excessive depth in document", "het bestand is te diep genest"),
    (r"^(?:Huge input lookup|xmlSAX2Characters: huge text node)", "het bestand bevat een te groot tekstblok"),
    (r"^CData section not finished", "een CDATA-blok wordt niet afgesloten"),
    (r"^(?:ParsePI|xmlParsePI)", "een verwerkingsinstructie (<? … ?>) is onjuist geschreven"),
))
FALLBACK = "de XML is niet goed gevormd"


def dutch_xml_error(message: str) -> str:
    """The Dutch sentence for one libxml2 error message."""
    text = _TRAILING_POSITION.sub("", (message or "").strip())
    for pattern, template in _PATTERNS:
        if found := pattern.match(text):
            return template.format(*found.groups())
    return FALLBACK
