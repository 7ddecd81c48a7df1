"""The OpenAPI 3.1 document of API v1, kept beside the routes it describes.

A test compares this document with the app's URL map, so a route cannot exist undocumented.
"""

from __future__ import annotations

from typing import Any

from engine.cases import file_types, worklist

_ID = {"type": "integer", "minimum": 1}
# Versions are whole numbers written as such (2, not 2.0 or "2" in a JSON body).
_VERSION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR_TEXTS = {
    400: "Ongeldig verzoek (bv. een NUL-teken in een zoekparameter)", 401: "Niet geauthenticeerd",
    403: "Geen toegang", 404: "Niet gevonden (of niet zichtbaar voor u)",
    409: "Conflict: de toestand is intussen veranderd", 413: "Verzoek te groot",
    422: "Ongeldige invoer of ongeldig model (ook: JSON dieper genest dan 64 niveaus)",
    429: "Te veel verzoeken; 'Retry-After' zegt na hoeveel seconden het weer kan",
}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json(_ref("Error"), _ERROR_TEXTS[s]) for s in statuses}


def _with_common_refusals(paths: dict[str, Any]) -> dict[str, Any]:
    """Refusals that can happen on every operation, added where the server gives them.

    400 and 429 (the rate limit counts every API request) anywhere; 404 wherever a path names
    something; 413 and 422 wherever a body is read (size limit, JSON depth limit).
    """
    for path, item in paths.items():
        for operation in item.values():
            statuses = {400, 429}
            if "{" in path:
                statuses.add(404)
            if "requestBody" in operation:
                statuses |= {413, 422}
            if operation.get("security") != []:
                statuses.add(401)
            for status in sorted(statuses):
                operation["responses"].setdefault(str(status), _json(_ref("Error"), _ERROR_TEXTS[status]))
    return paths


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


_LIMIT, _END = worklist.COUNT_LIMIT, worklist.END
_PAGING = (
    f"Paginering. Zolang een lijst ten hoogste {_LIMIT} taken telt (total_exact), gaan de links met "
    f"paginanummers (pagina=n), zoals altijd. Daarboven telt de werkbak niet verder (total = {_LIMIT}, "
    "total_exact = false, pages = null) en gaan next, previous en last met een positie (na=..., voor=..., "
    f"voor={_END}): elke pagina kost dan evenveel, ook de laatste. Volg de links tot next null is en u ziet "
    "elke taak precies één keer, ook als er intussen taken bij komen (die staan op hun plaats in de volgorde). "
    "Een positie hoort bij de sortering waarmee ze gemaakt is; een andere of bewerkte positie geeft 422."
)

SCHEMAS: dict[str, Any] = {
    "Note": {"type": "object", "required": ["id", "instance_id", "created_at", "author", "readers"], "properties": {
        "id": _ID, "instance_id": _ID, "created_at": {"type": "string", "format": "date-time"},
        "author": {"type": "string"}, "author_role": {"type": ["string", "null"]},
        "author_organisation": {"type": ["string", "null"]}, "text": {"type": ["string", "null"]},
        "readers": {"type": "array", "items": {"type": "string"}},
        "file": {"type": ["object", "null"], "properties": {
            "name": {"type": "string"}, "type": {"type": "string"}, "label": {"type": "string"},
            "size": {"type": "integer"}, "sha256": {"type": "string"}, "url": {"type": "string"}}},
    }},
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "details": {"description": "Per-veld meldingen (object) of modelproblemen (lijst)"},
        }}},
    },
    "ModelProblem": {"type": "object", "properties": {
        "message": {"type": "string"}, "file": {"type": ["string", "null"]},
        "line": {"type": ["integer", "null"]}, "element_id": {"type": ["string", "null"]},
    }},
    "ProcessDefinition": {"type": "object", "required": ["id", "process_id", "version"], "properties": {
        "id": _ID, "process_id": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"},
        "deployment_id": _ID, "default_role": {"type": "string"},
    }},
    "Deployment": {"type": "object", "required": ["id", "sha256", "files", "processes"], "properties": {
        "id": _ID, "sha256": {"type": "string"}, "comment": {"type": "string"},
        "deployed_by_id": {"type": ["integer", "null"]}, "deployed_at": _TIME,
        "files": {"type": "array", "items": {"type": "object", "properties": {
            "filename": {"type": "string"}, "kind": {"enum": ["bpmn", "dmn"]}, "sha256": {"type": "string"},
            "size": {"type": "integer"}, "included_from": {"type": ["integer", "null"]},
        }}},
        "processes": {"type": "array", "items": _ref("ProcessDefinition")},
        "warnings": {"type": "array", "items": _ref("ModelProblem"),
                     "description": "Instellingen voor een andere engine (Camunda, Zeebe, ...) die worden genegeerd"},
    }},
    "Task": {"type": "object", "required": ["id", "instance_id", "name", "role", "state"], "properties": {
        "id": _ID, "instance_id": _ID, "element_id": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string"}, "organisation_id": _ID, "assignee_id": {"type": ["integer", "null"]},
        "form": {"type": ["string", "null"]}, "instructions": {"type": ["string", "null"]},
        "state": {"enum": ["ready", "completed", "cancelled"]}, "created_at": _TIME, "due_at": _TIME,
        "form_schema": {"type": ["object", "null"]},
    }},
    "WorkItem": {"allOf": [{"$ref": "#/components/schemas/Task"}, {"type": "object", "properties": {
        "reference": {"type": "string"}, "process_id": {"type": "string"}, "process_name": {"type": "string"},
        "vorm": {"type": ["string", "null"]}, "gemeente": {"type": "string"},
        "case_status": {"enum": ["active", "completed", "cancelled", "error", "vernietigd"]},
        "due_state": {"enum": ["binnenkort", "te_laat", None]},
        "acuut": {"type": "boolean", "description": "Acuut signaal: iemand was bij de melding in acuut gevaar"},
        "assignee_name": {"type": ["string", "null"], "description": "Wie de taak in behandeling heeft"},
    }}]},
    "Worklist": {"type": "object", "required": ["items", "page", "pages", "total", "counts", "links"],
                 "description": _PAGING, "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/WorkItem"}},
        "tab": {"enum": [*worklist.TABS, worklist.ALLE]},
        "page": {"type": ["integer", "null"], "description": "Paginanummer; null als het niet bekend is "
                 "(achteruit bladeren vanaf het einde van een lijst van meer dan de telgrens)"},
        "per_page": {"type": "integer"},
        "pages": {"type": ["integer", "null"], "description": "Aantal pagina's; null als total_exact false is"},
        "total": {"type": "integer", "description": f"Aantal taken, exact tot {worklist.COUNT_LIMIT}"},
        "total_exact": {"type": "boolean", "description": f"false: er zijn meer dan {worklist.COUNT_LIMIT} taken"},
        "counts": {"type": "object", "description": f"Aantal per tabblad, exact tot {worklist.COUNT_LIMIT}",
                   "properties": {tab: {"type": "integer"} for tab in worklist.TABS}},
        "counts_exact": {"type": "object", "properties": {tab: {"type": "boolean"} for tab in worklist.TABS}},
        "links": {"type": "object", "description": "Querystrings (beginnend met '?') voor deze zelfde lijst; "
                  "null waar die pagina er niet is", "properties": {
            name: {"type": ["string", "null"]} for name in ("first", "previous", "next", "last")}},
        "case": {"type": ["object", "null"], "description": "De zaak met het gezochte kenmerk, als u die mag inzien",
                 "properties": {"id": _ID, "reference": {"type": "string"}}},
    }},
    "SavedFilter": {"type": "object", "required": ["id", "name", "params"], "properties": {
        "id": _ID, "name": {"type": "string"}, "params": {"type": "object"}, "created_at": _TIME,
        "updated_at": _TIME,
    }},
    "Timer": {"type": "object", "properties": {
        "id": _ID, "element_id": {"type": "string"}, "name": {"type": "string"},
        "kind": {"enum": ["date", "duration", "cycle"]}, "due_at": _TIME, "state": {"type": "string"},
    }},
    "Instance": {"type": "object", "required": ["id", "status", "ready_tasks", "timers"], "properties": {
        "id": _ID, "reference": {"type": "string", "description": "Kenmerk voor de melder, bv. SR-2026-00042"},
        "process_id": {"type": "string"}, "process_version": {"type": "integer"},
        "status": {"enum": ["active", "completed", "cancelled", "error", "vernietigd"]},
        "organisation": {"type": "string"}, "created_at": _TIME, "updated_at": _TIME,
        "version": {"type": "integer"}, "error": {"type": ["string", "null"]},
        "ready_tasks": {"type": "array", "items": _ref("Task")},
        "timers": {"type": "array", "items": _ref("Timer")},
    }},
    "ReplayReport": {"type": "object", "required": ["consistent", "steps", "divergence"], "properties": {
        "instance_id": _ID, "consistent": {"type": "boolean"}, "steps": {"type": "integer"},
        "destroyed": {"type": ["string", "null"],
                      "description": "Vernietigd volgens de bewaartermijn: wanneer en welke regel"},
        "divergence": {"type": ["object", "null"], "properties": {
            "step": {"type": "integer"}, "event_seq": {"type": ["integer", "null"]},
            "event_type": {"type": ["string", "null"]}, "message": {"type": "string"},
            "expected": {"type": ["string", "null"]}, "actual": {"type": ["string", "null"]},
        }},
    }},
    "MigrationPlan": {"type": "object", "required": ["process_id", "to_version", "cases", "revertible"], "properties": {
        "process_id": {"type": "string"}, "name": {"type": "string"}, "to_version": {"type": "integer"},
        "versions": {"type": "array", "items": {"type": "integer"}, "description": "Alle versies, nieuwste eerst"},
        "cases": {"type": "array", "description": "Lopende zaken op een oudere versie", "items": {
            "type": "object", "required": ["instance_id", "eligible", "reasons"], "properties": {
                "instance_id": _ID, "reference": {"type": "string"}, "from_version": {"type": "integer"},
                "version": {"type": "integer", "description": "Versie van de zaakrij; stuur mee als expected_version"},
                "ready_tasks": {"type": "array", "items": {"type": "string"}},
                "eligible": {"type": "boolean"},
                "reasons": {"type": "array", "items": {"type": "string"},
                            "description": "Waarom de zaak niet over kan (Nederlands)"},
                "notes": {"type": "array", "items": {"type": "string"},
                          "description": "Wat u moet weten, bv. een nieuwe termijn die een open taak niet krijgt"},
            }}},
        "revertible": {"type": "array", "description": "Overgezette zaken en of terugdraaien nog kan", "items": {
            "type": "object", "properties": {
                "instance_id": _ID, "reference": {"type": "string"}, "from_version": {"type": "integer"},
                "to_version": {"type": "integer"}, "migrated_at": _TIME, "possible": {"type": "boolean"},
                "reason": {"type": ["string", "null"]},
            }}},
    }},
    "AccessLogEntry": {"type": "object", "properties": {
        "occurred_at": _TIME, "action": {"type": "string"},
        "user": {"type": "object", "properties": {"username": {"type": "string"}, "role": {"type": ["string", "null"]},
                                                  "organisation": {"type": ["string", "null"]}}},
    }},
    "AuditEvent": {"type": "object", "properties": {
        "seq": {"type": "integer"}, "type": {"type": "string"}, "occurred_at": _TIME,
        "actor": {"type": "object"}, "definition_id": {"type": ["integer", "null"]},
        "task_id": {"type": ["integer", "null"]}, "payload": {"type": "object"},
        "payload_sha256": {"type": "string", "description": "SHA-256 van de payload; de hash dekt deze digest"},
        "hash": {"type": "string"}, "prev_hash": {"type": "string"},
    }},
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _choice(values: list[str], **extra: Any) -> dict[str, Any]:
    """A filter choice; empty means no filter (what the werkbak form sends for 'alle')."""
    return {"enum": [*values, ""], **extra}


# The werkbak's own query parameters (engine.cases.worklist), so a werkbak address works here too.
_WORKLIST_PARAMETERS = [
    _query("tab", _choice([*worklist.TABS, worklist.ALLE]),
           "mijn: aan u toegewezen of door u afgerond; team: uw rol binnen uw organisatie, nog door niemand opgepakt"),
    _query("vorm", _choice(list(worklist.VORMEN)), "Vorm van uitbuiting; onbekend omvat nog niet bepaald"),
    _query("status", _choice(list(worklist.TASK_STATUSES), default="open"), "Status van de taak"),
    _query("zaakstatus", _choice(list(worklist.CASE_STATUSES)), "Status van de zaak"),
    _query("gemeente", {"type": "string"}, "Slug van de gemeente van de zaak"),
    _query("termijn", _choice(list(worklist.TERMIJNEN)),
           "te_laat, binnenkort (binnen 'werkdagen' werkdagen) of geen (zonder termijn)"),
    _query("werkdagen", {"type": "integer", "minimum": 1, "maximum": worklist.MAX_WORKING_DAYS, "default": 1},
           "Aantal werkdagen voor termijn=binnenkort"),
    _query("proces", {"type": "string"}, "BPMN-proces-id"),
    _query("sorteer", _choice(list(worklist.SORTERINGEN), default="termijn"), "Sortering"),
    _query("kenmerk", {"type": "string", "pattern": "^SR-[0-9]{4}-[0-9]+$"}, "Kenmerk van de zaak"),
    _query("instance_id", _ID, "Alleen taken van deze zaak"),
    _query("pagina", {"type": "integer", "minimum": 1, "default": 1},
           f"Paginanummer; alleen binnen de eerste {worklist.COUNT_LIMIT} taken (daarna 422): blader verder met "
           "de links 'next' en 'last'"),
    _query("na", {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
           "Positie uit links.next: de pagina na die taak (keyset; kost even veel op elke pagina)"),
    _query("voor", {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
           f"Positie uit links.previous: de pagina voor die taak; '{worklist.END}' is de laatste pagina"),
    _query("per_pagina", {"type": "integer", "minimum": 1, "maximum": worklist.MAX_PAGE_SIZE,
                          "default": worklist.PAGE_SIZE}, "Taken per pagina"),
]


def _items(name: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(name)}}}


PATHS: dict[str, Any] = {
    "/api/v1/openapi.json": {"get": {
        "summary": "Dit document", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}},
    }},
    "/api/v1/process-models": {
        "get": {"summary": "Uitgerolde procesdefinities", "responses": {
            "200": _json(_items("ProcessDefinition"), "Alle versies"), **_errors(401)}},
        "post": {
            "summary": "Modellen uitrollen als nieuwe, onveranderlijke versie (procesregisseur, beheerder)",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["files"], "properties": {
                    "files": {"type": "array", "items": {"type": "string", "contentMediaType":
                                                         "application/octet-stream"}},
                    "comment": {"type": "string"},
                    "default_role": {"type": "string", "description": "Rol voor taken buiten een lane (af)"},
                }}}}},
            "responses": {"201": _json(_ref("Deployment"), "Uitgerold"), **_errors(401, 403, 413, 422)},
        },
    },
    "/api/v1/instances": {"post": {
        "summary": "Een zaak starten op de nieuwste versie van een proces",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["process_id"], "properties": {
                "process_id": {"type": "string", "minLength": 1}, "data": {"type": "object"},
                "organisation": {"type": "string", "description": "Gemeente van de zaak (standaard die van u)"},
            }}}}},
        "responses": {"201": _json(_ref("Instance"), "Gestart"), **_errors(401, 403, 404, 422)},
    }},
    "/api/v1/signals": {"post": {
        "summary": "Een signaal melden; de gemeente bepaalt regio, route en partners",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["melding"], "properties": {
                "gemeente": {"type": "string", "description": "Slug van de gemeente (standaard die van u)"},
                "melding": {"type": "object", "description": "Volgens forms/melding.json"},
            }}}}},
        "responses": {"201": _json(_ref("Instance"), "Gemeld; de zaak met haar kenmerk"), **_errors(401, 403, 422)},
    }},
    "/api/v1/advice-questions": {"post": {
        "summary": "Een adviesvraag aan de aandachtsfunctionaris stellen",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["vraag"], "properties": {
                "gemeente": {"type": "string"}, "vraag": {"type": "string", "maxLength": 4000},
            }}}}},
        "responses": {"201": _json(_ref("Instance"), "Gesteld"), **_errors(401, 403, 422)},
    }},
    "/api/v1/instances/{instance_id}": {"get": {
        "summary": "Een zaak", "parameters": [_path_id("instance_id")],
        "responses": {"200": _json(_ref("Instance"), "De zaak"), **_errors(401, 404)},
    }},
    "/api/v1/instances/{instance_id}/history": {"get": {
        "summary": "Auditgebeurtenissen van een zaak, in volgorde", "parameters": [_path_id("instance_id")],
        "responses": {"200": _json(_items("AuditEvent"), "Geschiedenis"), **_errors(401, 404)},
    }},
    "/api/v1/instances/{instance_id}/access-log": {"get": {
        "summary": "Wie de zaak wanneer heeft bekeken (auditor; het inzien wordt zelf ook gelogd)",
        "parameters": [_path_id("instance_id")],
        "responses": {"200": _json(_items("AccessLogEntry"), "Toegangslog"), **_errors(401, 403, 404)},
    }},
    "/api/v1/instances/{instance_id}/notes": {
        "get": {
            "summary": "Notities en bestanden van een zaak die u mag lezen (de auteur, de gekozen rollen, de auditor)",
            "parameters": [_path_id("instance_id")],
            "responses": {"200": _json(_items("Note"), "Notities, oudste eerst"), **_errors(401, 404)},
        },
        "post": {
            "summary": "Een notitie en/of bestand toevoegen; het soort bestand wordt uit de inhoud bepaald",
            "parameters": [_path_id("instance_id")],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["readers"], "properties": {
                    "text": {"type": "string", "maxLength": 10000},
                    "readers": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                "description": "Rollen op de zaak die dit mogen lezen (af, politie, zorgcoordinator…)"},
                    "file": {"type": "string", "contentMediaType": "application/octet-stream",
                             "description": "PDF, PNG, JPEG, GIF, WebP, docx, xlsx, odt of platte tekst (UTF-8)"},
                }}}}},
            "responses": {"201": _json(_ref("Note"), "Toegevoegd"), **_errors(401, 403, 404, 409, 413, 422)},
        },
    },
    "/api/v1/instances/{instance_id}/notes/{note_id}/file": {"get": {
        "summary": "Het bestand van een notitie (Content-Type uit de inhoud; het downloaden wordt gelogd)",
        "parameters": [_path_id("instance_id"), _path_id("note_id")],
        "responses": {"200": {"description": "De bytes, als bijlage; Content-Type is het soort uit de inhoud",
                              "content": {kind.mime.split(";")[0]: {"schema": {"type": "string"}}
                                          for kind in file_types.ALLOWED}}, **_errors(401, 404)},
    }},
    "/api/v1/instances/{instance_id}/replay": {"post": {
        "summary": "Een zaak opnieuw afspelen uit het auditlog en vergelijken met de opgeslagen toestand (auditor)",
        "parameters": [_path_id("instance_id")],
        "responses": {"200": _json(_ref("ReplayReport"), "Uitkomst"), **_errors(401, 403, 404)},
    }},
    "/api/v1/process-models/{process_id}/migration-plan": {"get": {
        "summary": "Welke lopende zaken naar een versie kunnen en waarom andere niet (procesregisseur, beheerder)",
        "parameters": [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "to_version", "in": "query", "required": True,
                        "schema": _VERSION}],
        "responses": {"200": _json(_ref("MigrationPlan"), "Het overzicht; er verandert niets"),
                      **_errors(401, 403, 404, 422)},
    }},
    "/api/v1/instances/{instance_id}/migrate": {"post": {
        "summary": "Een zaak overzetten naar een nieuwere versie van haar proces (procesregisseur, beheerder)",
        "description": "409 met code niet_migreerbaar en de redenen in details als de zaak niet over kan; "
                       "409 conflict als de zaak veranderde sinds expected_version.",
        "parameters": [_path_id("instance_id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["to_version"], "properties": {
                "to_version": _VERSION,
                "expected_version": {**_VERSION, "description": "'version' uit het overzicht"},
            }}}}},
        "responses": {"200": _json(_ref("Instance"), "De zaak op de nieuwe versie"),
                      **_errors(401, 403, 404, 409, 422)},
    }},
    "/api/v1/instances/{instance_id}/revert-migration": {"post": {
        "summary": "De laatste overzetting van een zaak terugdraaien, als er sindsdien niets gebeurde",
        "parameters": [_path_id("instance_id")],
        "responses": {"200": _json(_ref("Instance"), "De zaak, exact zoals vóór de overzetting"),
                      **_errors(401, 403, 404, 409)},
    }},
    "/api/v1/tasks": {"get": {
        "summary": "Uw taken, met dezelfde filters, sortering en paginering als de werkbak",
        "description": "Zonder 'tab' staan beide tabbladen samen (alle taken die u mag oppakken). "
                       "Een zoekterm 'kenmerk' vindt alleen zaken die u mag inzien.",
        "parameters": _WORKLIST_PARAMETERS,
        "responses": {"200": _json(_ref("Worklist"), "Eén pagina taken met de aantallen per tabblad"),
                      **_errors(401, 422)},
    }},
    "/api/v1/saved-filters": {
        "get": {"summary": "Uw bewaarde werkbakfilters (alleen de uwe)", "responses": {
            "200": _json(_items("SavedFilter"), "Bewaarde filters"), **_errors(401)}},
        "post": {
            "summary": "De werkbakparameters onder een naam bewaren; dezelfde naam vervangt dat filter",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string", "maxLength": 80},
                    "params": {"type": "object", "description": "Parameters zoals bij GET /api/v1/tasks",
                               "additionalProperties": {"type": ["string", "integer"]}},
                }}}}},
            "responses": {"201": _json(_ref("SavedFilter"), "Bewaard"), **_errors(401, 422)},
        },
    },
    "/api/v1/saved-filters/{filter_id}": {"delete": {
        "summary": "Een van uw bewaarde filters verwijderen", "parameters": [_path_id("filter_id")],
        "responses": {"204": {"description": "Verwijderd"}, **_errors(401, 404)},
    }},
    "/api/v1/tasks/{task_id}": {"get": {
        "summary": "Een taak met het JSON Schema van haar formulier", "parameters": [_path_id("task_id")],
        "responses": {"200": _json(_ref("Task"), "De taak"), **_errors(401, 404)},
    }},
    "/api/v1/tasks/{task_id}/complete": {"post": {
        "summary": "Een taak afronden", "parameters": [_path_id("task_id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"data": {"type": "object"}}}}}},
        "responses": {"200": _json(_ref("Instance"), "De zaak na afronden"), **_errors(401, 404, 409, 422)},
    }},
    "/api/v1/tasks/{task_id}/claim": {"post": {
        "summary": "Een taak van uw team in behandeling nemen", "parameters": [_path_id("task_id")],
        "responses": {"200": _json(_ref("Task"), "De taak"), **_errors(401, 404, 409)},
    }},
    "/api/v1/tasks/{task_id}/release": {"post": {
        "summary": "Een taak teruggeven aan het team", "parameters": [_path_id("task_id")],
        "responses": {"200": _json(_ref("Task"), "De taak"), **_errors(401, 404, 409)},
    }},
    "/api/v1/tasks/{task_id}/assign": {"post": {
        "summary": "Een taak toewijzen aan een collega met dezelfde rol in dezelfde organisatie",
        "parameters": [_path_id("task_id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["username"],
            "properties": {"username": {"type": "string", "minLength": 1}}}}}},
        "responses": {"200": _json(_ref("Task"), "De taak"), **_errors(401, 404, 409, 422)},
    }},
    "/api/v1/timers/{timer_id}/execute": {"post": {
        "summary": "Een wachtende timer nu laten aflopen (beheerder)", "parameters": [_path_id("timer_id")],
        "description": "Komt met de reden in de geschiedenis van de zaak, zichtbaar voor wie de zaak behandelt.",
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"reason": {"type": "string", "maxLength": 500}}}}}},
        "responses": {"200": _json(_ref("Instance"), "De zaak"), **_errors(401, 403, 404, 409, 422)},
    }},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Signaalroute API", "version": "1.0.0",
                 "description": "Werkstroom voor signalen van mensenhandel. Foutmeldingen zijn in het Nederlands.",
                 "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": _with_common_refusals(PATHS),
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Persoonlijk API-token"}}},
    }
