"""Modelleren: process versions and their history, drafts in bpmn-js/dmn-js, forms.

Only procesregisseurs and beheerders come here (every request is checked, a 403 page otherwise).
Views parse, call one service and render or answer JSON. The modeller's page talks to the
JSON endpoints with ``fetch``: the session cookie authenticates, the ``X-CSRFToken`` header
carries the CSRF token (Flask-WTF checks it like a form field), and errors come back as JSON
because the script asks for ``application/json`` (see :func:`webapp.errors.wants_json`).
"""

from webapp.ui.modelleren import concepten, formulieren, versies
from webapp.ui.modelleren.common import XML_MIMETYPE, blueprint, xml_text
from webapp.ui.modelleren.versies import diff_page

__all__ = ["XML_MIMETYPE", "blueprint", "concepten", "diff_page", "formulieren", "versies", "xml_text"]
