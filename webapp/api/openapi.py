"""The OpenAPI 3.1 document of API v1, kept beside the routes it describes.

A test compares this document with the app's URL map, so a route cannot exist undocumented.
"""

from __future__ import annotations

from typing import Any

_ID = {"type": "integer", "minimum": 1}
_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {400: "Ongeldig verzoek", 401: "Niet geauthenticeerd", 403: "Geen toegang",
             404: "Niet gevonden (of niet zichtbaar voor u)", 409: "Conflict: de toestand is intussen veranderd",
             413: "Verzoek te groot", 422: "Ongeldige invoer of ongeldig model"}
    return {str(s): _json(_ref("Error"), texts[s]) for s in statuses}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


SCHEMAS: dict[str, Any] = {
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
    }},
    "Task": {"type": "object", "required": ["id", "instance_id", "name", "role", "state"], "properties": {
        "id": _ID, "instance_id": _ID, "element_id": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string"}, "organisation_id": _ID, "assignee_id": {"type": ["integer", "null"]},
        "form": {"type": ["string", "null"]}, "instructions": {"type": ["string", "null"]},
        "state": {"enum": ["ready", "completed", "cancelled"]}, "created_at": _TIME, "due_at": _TIME,
        "form_schema": {"type": ["object", "null"]},
    }},
    "Timer": {"type": "object", "properties": {
        "id": _ID, "element_id": {"type": "string"}, "name": {"type": "string"},
        "kind": {"enum": ["date", "duration", "cycle"]}, "due_at": _TIME, "state": {"type": "string"},
    }},
    "Instance": {"type": "object", "required": ["id", "status", "ready_tasks", "timers"], "properties": {
        "id": _ID, "reference": {"type": "string", "description": "Kenmerk voor de melder, bv. SR-2026-00042"},
        "process_id": {"type": "string"}, "process_version": {"type": "integer"},
        "status": {"enum": ["active", "completed", "cancelled", "error"]},
        "organisation": {"type": "string"}, "created_at": _TIME, "updated_at": _TIME,
        "version": {"type": "integer"}, "error": {"type": ["string", "null"]},
        "ready_tasks": {"type": "array", "items": _ref("Task")},
        "timers": {"type": "array", "items": _ref("Timer")},
    }},
    "ReplayReport": {"type": "object", "required": ["consistent", "steps", "divergence"], "properties": {
        "instance_id": _ID, "consistent": {"type": "boolean"}, "steps": {"type": "integer"},
        "divergence": {"type": ["object", "null"], "properties": {
            "step": {"type": "integer"}, "event_seq": {"type": ["integer", "null"]},
            "event_type": {"type": ["string", "null"]}, "message": {"type": "string"},
            "expected": {"type": ["string", "null"]}, "actual": {"type": ["string", "null"]},
        }},
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
        "hash": {"type": "string"}, "prev_hash": {"type": "string"},
    }},
}


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
                "process_id": {"type": "string"}, "data": {"type": "object"},
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
    "/api/v1/instances/{instance_id}/replay": {"post": {
        "summary": "Een zaak opnieuw afspelen uit het auditlog en vergelijken met de opgeslagen toestand (auditor)",
        "parameters": [_path_id("instance_id")],
        "responses": {"200": _json(_ref("ReplayReport"), "Uitkomst"), **_errors(401, 403, 404)},
    }},
    "/api/v1/tasks": {"get": {
        "summary": "Uw openstaande taken", "parameters": [
            {"name": "instance_id", "in": "query", "required": False, "schema": _ID},
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "maximum": 500}},
            {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
        ],
        "responses": {"200": _json(_items("Task"), "Taken"), **_errors(401)},
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
            "type": "object", "required": ["username"], "properties": {"username": {"type": "string"}}}}}},
        "responses": {"200": _json(_ref("Task"), "De taak"), **_errors(401, 404, 409, 422)},
    }},
    "/api/v1/timers/{timer_id}/execute": {"post": {
        "summary": "Een wachtende timer nu laten aflopen (beheerder)", "parameters": [_path_id("timer_id")],
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
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Persoonlijk API-token"}}},
    }
