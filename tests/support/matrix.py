"""Authorization matrix: every route of the UI and the API x every role x own/other organisation.

Attack: a curious insider (any role, in the organisation that owns the data or in another gemeente or
region) or an outsider without an account calls every URL the application has, with real ids of a case,
task, meeting, agenda item, saved filter, draft, process version, model file, form and timer.
Expected refusal: exactly the outcome in ``MATRIX`` below; never an allow the table does not grant
(zero unexpected allows), and no refusal ever carries the case's content.

The table is generated against ``app.url_map``: a route that is not in it fails the test, so every new
route must be classified here before it lands.

Columns (one token per role, ``own/other`` when the two sides differ, one value when they agree):

    anon     not logged in / no token
    mel      melder           own: melder.leeuwarden, who reported the own case
    af       af               own: AF Leeuwarden (the case's gemeente); other: AF Eersel
    oov      oov              own: OOV'er Leeuwarden; other: OOV'er Eersel
    pol      politie          own: TMM Fryslân (has a ready task on the case); other: AVIM Oost-Brabant
    zoco     zorgcoordinator  own: Fier (Drieluik participant, no task); other: Lumens
    ai       arbeidsinspectie own: Arbeidsinspectie Fryslân; other: ISZW Oost-Brabant
    kr       ketenregisseur   own: Fryslân (completed a task on the case); other: Oost-Brabant
    pr       procesregisseur  own: ZVH Fryslân (chairs the Drieluik, decision task); other: ZVH Limburg
    aud      auditor
    bh       beheerder

Outcomes: ``ok`` the request passed the access checks (2xx, 3xx, or a 400/409/422 about the request
itself); ``L`` redirect to the login page (for logout and a second login step without a first, that is
the intended answer); ``401``, ``403``, ``404``.

Every request runs in *dry-run* mode: the app rolls its transaction back after each response, so an
allowed POST (complete a task, delete a filter, close a meeting) does not change the story for the
next principal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.db import Base, unit_of_work
from engine.models import HumanTask, Meeting, ModelDraft
from tests.support.chain import MELDING
from tests.support.scene import OWN, ROLES, Scene

COLUMNS = ["anon", *ROLES]

# fmt: off
# route                                                         anon mel     af      oov pol     zoco    ai  kr      pr      aud bh
MATRIX: dict[str, str] = {
    # --- public ---
    "GET /gezond":                                                 "ok  ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /inloggen":                                               "ok  ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /inloggen":                                              "ok  ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /static/<path:filename>":                                 "ok  ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /thema/<path:naam>":                                      "ok  ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /api/v1/openapi.json":                                    "ok  ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    # --- werkbak, tasks, case page ---
    "GET /inloggen/code":                                          "L   L       L       L   L       L       L   L       L       L   L",
    "POST /inloggen/code":                                         "L   L       L       L   L       L       L   L       L       L   L",
    "GET /inloggen/oidc":                                          "404 404     404     404 404     404     404 404     404     404 404",
    "GET /inloggen/oidc/terug":                                    "404 404     404     404 404     404     404 404     404     404 404",
    # --- the own account (second factor, recovery codes) ---
    "POST /uitloggen":                                             "L   L       L       L   L       L       L   L       L       L   L",
    "GET /account":                                                "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /account/tweestaps":                                      "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /account/tweestaps":                                     "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /account/tweestaps/uit":                                 "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /account/herstelcodes":                                  "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /":                                                       "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /werkbak/filters":                                       "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /werkbak/filters/<int:filter_id>/verwijderen":           "L   404     ok/404  404 404     404     404 404     404     404 404",
    "GET /taken/<int:task_id>":                                    "L   403     403     403 ok/403  403     403 403     403     403 403",
    "POST /taken/<int:task_id>":                                   "L   403     403     403 ok/403  403     403 403     403     403 403",
    "POST /taken/<int:task_id>/oppakken":                          "L   403     403     403 ok/403  403     403 403     403     403 403",
    "POST /taken/<int:task_id>/teruggeven":                        "L   403     403     403 ok/403  403     403 403     403     403 403",
    "POST /taken/<int:task_id>/toewijzen":                         "L   403     403     403 ok/403  403     403 403     403     403 403",
    "GET /zaken/<int:instance_id>":                                "L   403     ok/403  403 ok/403  403     403 ok/403  ok/403  ok  403",
    # notes and files: added by whoever works on a case they see; a file read by its readers (here the AF and
    # the police), its author and the auditor, never by others who see the case (the ketenregisseur, the PR)
    "POST /zaken/<int:instance_id>/notities":                      "L   403     ok/403  403 ok/403  403     403 ok/403  ok/403  403 403",
    "GET /zaken/<int:instance_id>/notities/<int:note_id>/bestand": "L   403     ok/403  403 ok/403  403     403 403     403     ok  403",
    "GET /zaken/<int:instance_id>/verloop.json":                   "L   403     ok/403  403 ok/403  403     403 ok/403  ok/403  ok  403",
    "GET /zaken/<int:instance_id>/modellen/<process_id>.bpmn":     "L   403     ok/403  403 ok/403  403     403 ok/403  ok/403  ok  403",
    # --- melden ---
    "GET /melden":                                                 "L   ok      ok      ok  ok      ok      ok  ok      ok      403 403",
    "POST /melden":                                                "L   ok      ok      ok  ok      ok      ok  ok      ok      403 403",
    "GET /melden/<int:instance_id>":                               "L   ok/404  404     404 404     404     404 404     404     404 404",
    "GET /mijn-meldingen":                                         "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    # --- overleg (the Drieluik of Fryslân: politie, zorgcoordinator, ketenregisseur, procesregisseur) ---
    "GET /overleg":                                                "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /overleg":                                               "L   403     403     403 403     403     403 403     ok      403 403",
    "GET /overleg/agenda.ics":                                     "L   ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /overleg/<int:meeting_id>":                               "L   404     404     404 ok/404  ok/404  404 ok/404  ok/404  ok  404",
    "GET /overleg/<int:meeting_id>/punt/<int:item_id>":            "L   404     404     404 404     404     404 404     ok/404  404 404",
    "POST /overleg/<int:meeting_id>/punt/<int:item_id>":           "L   404     404     404 404     404     404 404     ok/404  404 404",
    "POST /overleg/<int:meeting_id>/verslag":                      "L   404     404     404 403/404 403/404 404 403/404 ok/404  403 404",
    "POST /overleg/<int:meeting_id>/afsluiten":                    "L   404     404     404 403/404 403/404 404 403/404 ok/404  403 404",
    "POST /overleg/<int:meeting_id>/agenda-sluiten":               "L   404     404     404 403/404 403/404 404 403/404 ok/404  403 404",
    # the procesregisseur of a region with a standing meeting (Fryslân's Drieluik, Limburg's screeningsoverleg)
    "GET /overleg/vergadermoment":                                 "L   403     403     403 403     403     403 403     ok      403 403",
    "POST /overleg/vergadermoment":                                "L   403     403     403 403     403     403 403     ok      403 403",
    # --- audit (auditor reads everything, logged; the log check also for the beheerder) ---
    "GET /audit/zaken":                                            "L   403     403     403 403     403     403 403     403     ok  403",
    "GET /audit/zaken/<int:instance_id>":                          "L   403     403     403 403     403     403 403     403     ok  403",
    "POST /audit/zaken/<int:instance_id>/dossier":                 "L   403     403     403 403     403     403 403     403     ok  403",
    "GET /audit/zaken/<int:instance_id>/afspelen":                 "L   403     403     403 403     403     403 403     403     ok  403",
    "GET /audit/zaken/<int:instance_id>/afspelen.json":            "L   403     403     403 403     403     403 403     403     ok  403",
    "GET /audit/zaken/<int:instance_id>/model.bpmn":               "L   403     403     403 403     403     403 403     403     ok  403",
    "GET /audit/zaken/<int:instance_id>/modellen/<process_id>.bpmn": "L   403     403     403 403     403     403 403     403     ok  403",
    "GET /audit/export":                                           "L   403     403     403 403     403     403 403     403     ok  403",
    "POST /audit/export":                                          "L   403     403     403 403     403     403 403     403     ok  403",
    # process and form changes, read-only: the auditor, and the beheerder who may read models anyway
    "GET /audit/modellen":                                         "L   403     403     403 403     403     403 403     403     ok  ok",
    "GET /audit/modellen/<process_id>/verschil":                   "L   403     403     403 403     403     403 403     403     ok  ok",
    "GET /audit/modellen/<process_id>/versies/<int:version>/inhoud":
                                                                   "L   403     403     403 403     403     403 403     403     ok  ok",
    "GET /audit/modellen/uitrollen/<int:deployment_id>/bestanden/<filename>":
                                                                   "L   403     403     403 403     403     403 403     403     ok  ok",
    "GET /audit/modellen/uitrollen/<int:deployment_id>/formulieren/<name>":
                                                                   "L   403     403     403 403     403     403 403     403     ok  ok",
    "GET /audit/controle":                                         "L   403     403     403 403     403     403 403     403     ok  ok",
    "POST /audit/controle":                                        "L   403     403     403 403     403     403 403     403     ok  ok",
    # --- beheer (no case content) and statistics (counts without persons) ---
    "GET /beheer/post":                                            "L   403     403     403 403     403     403 403     403     403 ok",
    "GET /beheer/bewaartermijnen":                                 "L   403     403     403 403     403     403 403     403     403 ok",
    "GET /beheer/rechten":                                         "L   403     403     403 403     403     403 403     403     403 ok",
    "GET /beheer/rechten.csv":                                     "L   403     403     403 403     403     403 403     403     403 ok",
    "GET /beheer/regios":                                          "L   403     403     403 403     403     403 403     403     403 ok",
    "POST /beheer/regios/<region_slug>/gemeenten":                 "L   403     403     403 403     403     403 403     403     403 ok",
    "GET /beheer/gemeenten/<int:organisation_id>":                 "L   403     403     403 403     403     403 403     403     403 ok",
    "POST /beheer/gemeenten/<int:organisation_id>":                "L   403     403     403 403     403     403 403     403     403 ok",
    "POST /beheer/gemeenten/<int:organisation_id>/samenvoegen":    "L   403     403     403 403     403     403 403     403     403 ok",
    # the dashboard: the region's chain roles see their region, a gemeente's own people their gemeente
    "GET /statistiek":                                             "L   403     ok      ok  403     403     403 ok      ok      ok  ok",
    "GET /dashboard":                                              "L   403     ok      ok  403     403     403 ok      ok      ok  ok",
    "GET /dashboard/tabel/<slug>.csv":                             "L   403     ok      ok  403     403     403 ok      ok      ok  ok",
    "GET /dashboard/jaarverslag.<fmt>":                            "L   403     ok      ok  403     403     403 ok      ok      ok  ok",
    "GET /dashboard/comensha.csv":                                 "L   403     ok      ok  403     403     403 ok      ok      ok  ok",
    # --- modelleren and migratie: procesregisseurs and beheerders; every one reads every model (policy, no
    #     personal data), but drafts and moving cases stay within the region that owns the process ---
    "GET /modelleren/":                                            "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/<process_id>":                                "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/<process_id>/verschil":                       "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/<process_id>/versies/<int:version>/inhoud":   "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/<process_id>/versies/<int:version>/download": "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/api/gegevens":                                "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/bestanden/<int:file_id>/download":            "L   403     403     403 403     403     403 403     ok      403 ok",
    "POST /modelleren/concepten":                                  "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/concepten/<int:draft_id>":                    "L   403     403     403 403     403     403 403     ok/404  403 ok",
    "GET /modelleren/concepten/<int:draft_id>/inhoud":             "L   403     403     403 403     403     403 403     ok/404  403 ok",
    "POST /modelleren/concepten/<int:draft_id>/opslaan":           "L   403     403     403 403     403     403 403     ok/404  403 ok",
    "POST /modelleren/concepten/<int:draft_id>/controleren":       "L   403     403     403 403     403     403 403     ok/404  403 ok",
    "POST /modelleren/concepten/<int:draft_id>/uitrollen":         "L   403     403     403 403     403     403 403     ok/404  403 ok",
    "POST /modelleren/concepten/<int:draft_id>/verwijderen":       "L   403     403     403 403     403     403 403     ok/404  403 ok",
    "GET /modelleren/formulieren":                                 "L   403     403     403 403     403     403 403     ok      403 ok",
    "POST /modelleren/formulieren/nieuw":                          "L   403     403     403 403     403     403 403     ok      403 ok",
    "POST /modelleren/formulieren/voorbeeld":                      "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/formulieren/<name>":                          "L   403     403     403 403     403     403 403     ok      403 ok",
    "POST /modelleren/formulieren/<name>":                         "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/formulieren/<name>/versies/<int:version>/download":
                                                                   "L   403     403     403 403     403     403 403     ok      403 ok",
    "GET /modelleren/<process_id>/migratie":                       "L   403     403     403 403     403     403 403     ok/403  403 ok",
    "POST /modelleren/<process_id>/migratie":                      "L   403     403     403 403     403     403 403     ok      403 ok",
    "POST /modelleren/<process_id>/migratie/<int:instance_id>/terugdraaien":
                                                                   "L   403     403     403 403     403     403 403     ok/403  403 ok",
    # --- API v1 (bearer token; hidden cases and tasks are 404 so existence never leaks) ---
    "GET /api/v1/process-models":                                  "401 ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /api/v1/process-models":                                 "401 403     403     403 403     403     403 403     ok      403 ok",
    "GET /api/v1/process-models/<process_id>/migration-plan":      "401 403     403     403 403     403     403 403     ok/403  403 ok",
    "POST /api/v1/instances":                                      "401 ok      ok      ok  ok      ok      ok  ok      ok      403 403",
    "POST /api/v1/signals":                                        "401 ok      ok      ok  ok      ok      ok  ok      ok      403 403",
    "POST /api/v1/advice-questions":                               "401 ok      ok      ok  ok      ok      ok  ok      ok      403 403",
    "GET /api/v1/instances/<int:instance_id>":                     "401 404     ok/404  404 ok/404  404     404 ok/404  ok/404  ok  404",
    "GET /api/v1/instances/<int:instance_id>/history":             "401 404     ok/404  404 ok/404  404     404 ok/404  ok/404  ok  404",
    "GET /api/v1/instances/<int:instance_id>/notes":               "401 404     ok/404  404 ok/404  404     404 ok/404  ok/404  ok  404",
    "POST /api/v1/instances/<int:instance_id>/notes":              "401 404     ok/404  404 ok/404  404     404 ok/404  ok/404  403 403",
    "GET /api/v1/instances/<int:instance_id>/notes/<int:note_id>/file":
                                                                   "401 404     ok/404  404 ok/404  404     404 404     404     ok  404",
    "GET /api/v1/instances/<int:instance_id>/access-log":          "401 403     403     403 403     403     403 403     403     ok  403",
    "POST /api/v1/instances/<int:instance_id>/replay":             "401 403     403     403 403     403     403 403     403     ok  403",
    "POST /api/v1/instances/<int:instance_id>/migrate":            "401 403     403     403 403     403     403 403     ok/403  403 ok",
    "POST /api/v1/instances/<int:instance_id>/revert-migration":   "401 403     403     403 403     403     403 403     ok/403  403 ok",
    "GET /api/v1/tasks":                                           "401 ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "GET /api/v1/tasks/<int:task_id>":                             "401 404     404     404 ok/404  404     404 404     404     404 404",
    "POST /api/v1/tasks/<int:task_id>/complete":                   "401 404     404     404 ok/404  404     404 404     404     404 404",
    "POST /api/v1/tasks/<int:task_id>/claim":                      "401 404     404     404 ok/404  404     404 404     404     404 404",
    "POST /api/v1/tasks/<int:task_id>/release":                    "401 404     404     404 ok/404  404     404 404     404     404 404",
    "POST /api/v1/tasks/<int:task_id>/assign":                     "401 404     404     404 ok/404  404     404 404     404     404 404",
    "GET /api/v1/saved-filters":                                   "401 ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "POST /api/v1/saved-filters":                                  "401 ok      ok      ok  ok      ok      ok  ok      ok      ok  ok",
    "DELETE /api/v1/saved-filters/<int:filter_id>":                "401 404     ok/404  404 404     404     404 404     404     404 404",
    "POST /api/v1/timers/<int:timer_id>/execute":                  "401 403     403     403 403     403     403 403     403     403 ok",
}
# fmt: on

# How each route is called: its concrete path (ids from the scene) and a body that passes validation far
# enough to reach the access check. ``{...}`` names are ``scene.ids`` keys.
FORM, JSON = "form", "json"


@dataclass(frozen=True)
class Call:
    path: str
    body: dict[str, Any] | None = None
    kind: str = FORM
    headers: dict[str, str] | None = None


JSON_FETCH = {"Accept": "application/json"}
CALLS: dict[str, Call] = {
    "GET /static/<path:filename>": Call("/static/css/app.css"),
    "GET /thema/<path:naam>": Call("/thema/voorbeeld.css"),
    "POST /inloggen": Call("/inloggen", {}),
    "POST /werkbak/filters": Call("/werkbak/filters?vorm=SU", {"naam": "Proef"}),
    "POST /werkbak/filters/<int:filter_id>/verwijderen": Call("/werkbak/filters/{filter}/verwijderen", {}),
    "GET /taken/<int:task_id>": Call("/taken/{task}"),
    "POST /taken/<int:task_id>": Call("/taken/{task}", {"actie": ""}),
    "POST /taken/<int:task_id>/oppakken": Call("/taken/{task}/oppakken", {}),
    "POST /taken/<int:task_id>/teruggeven": Call("/taken/{task}/teruggeven", {}),
    "POST /taken/<int:task_id>/toewijzen": Call("/taken/{task}/toewijzen", {"collega": "niemand"}),
    "GET /zaken/<int:instance_id>": Call("/zaken/{case}"),
    "POST /zaken/<int:instance_id>/notities": Call("/zaken/{case}/notities", {"tekst": "Proef.", "lezers": "af"}),
    "GET /zaken/<int:instance_id>/notities/<int:note_id>/bestand": Call("/zaken/{case}/notities/{note}/bestand"),
    "GET /zaken/<int:instance_id>/verloop.json": Call("/zaken/{case}/verloop.json"),
    "GET /zaken/<int:instance_id>/modellen/<process_id>.bpmn": Call("/zaken/{case}/modellen/{process}.bpmn"),
    "POST /melden": Call("/melden", {}),
    "GET /melden/<int:instance_id>": Call("/melden/{case}"),
    "POST /overleg": Call("/overleg", {"moment": "2026-04-14T09:30"}),
    "GET /overleg/<int:meeting_id>": Call("/overleg/{meeting}"),
    "GET /overleg/<int:meeting_id>/punt/<int:item_id>": Call("/overleg/{meeting}/punt/{item}"),
    "POST /overleg/<int:meeting_id>/punt/<int:item_id>": Call("/overleg/{meeting}/punt/{item}", {}),
    "POST /overleg/<int:meeting_id>/verslag": Call("/overleg/{meeting}/verslag", {"verslag": "Proef."}),
    "POST /overleg/<int:meeting_id>/afsluiten": Call("/overleg/{meeting}/afsluiten", {}),
    "POST /overleg/<int:meeting_id>/agenda-sluiten": Call("/overleg/{meeting}/agenda-sluiten", {}),
    "POST /overleg/vergadermoment": Call("/overleg/vergadermoment", {"weekdag": "zaterdag"}),
    "GET /dashboard/tabel/<slug>.csv": Call("/dashboard/tabel/vorm-per-maand.csv"),
    "GET /dashboard/jaarverslag.<fmt>": Call("/dashboard/jaarverslag.xlsx"),
    "POST /beheer/regios/<region_slug>/gemeenten": Call("/beheer/regios/fryslan/gemeenten", {"naam": ""}),
    "GET /beheer/gemeenten/<int:organisation_id>": Call("/beheer/gemeenten/{gemeente}"),
    "POST /beheer/gemeenten/<int:organisation_id>": Call("/beheer/gemeenten/{gemeente}", {"naam": ""}),
    "POST /beheer/gemeenten/<int:organisation_id>/samenvoegen": Call("/beheer/gemeenten/{gemeente}/samenvoegen", {}),
    "GET /audit/zaken/<int:instance_id>": Call("/audit/zaken/{case}"),
    "POST /audit/zaken/<int:instance_id>/dossier": Call("/audit/zaken/{case}/dossier", {}),
    "GET /audit/zaken/<int:instance_id>/afspelen": Call("/audit/zaken/{case}/afspelen"),
    "GET /audit/zaken/<int:instance_id>/afspelen.json": Call("/audit/zaken/{case}/afspelen.json"),
    "GET /audit/zaken/<int:instance_id>/model.bpmn": Call("/audit/zaken/{case}/model.bpmn"),
    "GET /audit/zaken/<int:instance_id>/modellen/<process_id>.bpmn": Call(
        "/audit/zaken/{case}/modellen/{process}.bpmn"),
    "POST /audit/export": Call("/audit/export", {"van": "2026-03-01", "tot": "2026-03-31", "formaat": "csv"}),
    "POST /audit/controle": Call("/audit/controle", {}),
    "GET /audit/modellen/<process_id>/verschil": Call("/audit/modellen/{process}/verschil"),
    "GET /audit/modellen/<process_id>/versies/<int:version>/inhoud":
        Call("/audit/modellen/{process}/versies/{version}/inhoud"),
    "GET /audit/modellen/uitrollen/<int:deployment_id>/bestanden/<filename>":
        Call("/audit/modellen/uitrollen/{deployment}/bestanden/signaal_fryslan.bpmn"),
    "GET /audit/modellen/uitrollen/<int:deployment_id>/formulieren/<name>":
        Call("/audit/modellen/uitrollen/{deployment}/formulieren/{deployment_form}"),
    "GET /modelleren/<process_id>": Call("/modelleren/{process}"),
    "GET /modelleren/<process_id>/verschil": Call("/modelleren/{process}/verschil"),
    "GET /modelleren/<process_id>/versies/<int:version>/inhoud": Call("/modelleren/{process}/versies/{version}/inhoud"),
    "GET /modelleren/<process_id>/versies/<int:version>/download":
        Call("/modelleren/{process}/versies/{version}/download"),
    "GET /modelleren/bestanden/<int:file_id>/download": Call("/modelleren/bestanden/{file}/download"),
    "POST /modelleren/concepten": Call("/modelleren/concepten", {"bron": "", "soort": "", "id": "", "naam": ""}),
    "GET /modelleren/concepten/<int:draft_id>": Call("/modelleren/concepten/{draft}"),
    "GET /modelleren/concepten/<int:draft_id>/inhoud": Call("/modelleren/concepten/{draft}/inhoud"),
    "POST /modelleren/concepten/<int:draft_id>/opslaan":
        Call("/modelleren/concepten/{draft}/opslaan", {"xml": "<x/>", "revision": 999}, JSON, JSON_FETCH),
    "POST /modelleren/concepten/<int:draft_id>/controleren":
        Call("/modelleren/concepten/{draft}/controleren", {}, JSON, JSON_FETCH),
    "POST /modelleren/concepten/<int:draft_id>/uitrollen":
        Call("/modelleren/concepten/{draft}/uitrollen", {"revision": 999, "toelichting": "x"}, JSON, JSON_FETCH),
    "POST /modelleren/concepten/<int:draft_id>/verwijderen": Call("/modelleren/concepten/{draft}/verwijderen", {}),
    "POST /modelleren/formulieren/nieuw": Call("/modelleren/formulieren/nieuw", {"naam": ""}),
    "POST /modelleren/formulieren/voorbeeld": Call("/modelleren/formulieren/voorbeeld", {"schema": "{}"}),
    "GET /modelleren/formulieren/<name>": Call("/modelleren/formulieren/{form}"),
    "POST /modelleren/formulieren/<name>": Call("/modelleren/formulieren/{form}", {"schema": "{}", "actie": ""}),
    "GET /modelleren/formulieren/<name>/versies/<int:version>/download":
        Call("/modelleren/formulieren/{form}/versies/{form_version}/download"),
    "GET /modelleren/<process_id>/migratie": Call("/modelleren/{process}/migratie"),
    "POST /modelleren/<process_id>/migratie": Call("/modelleren/{process}/migratie", {}),
    "POST /modelleren/<process_id>/migratie/<int:instance_id>/terugdraaien":
        Call("/modelleren/{process}/migratie/{case}/terugdraaien", {}),
    "POST /api/v1/process-models": Call("/api/v1/process-models", {"comment": "x"}),
    "GET /api/v1/process-models/<process_id>/migration-plan":
        Call("/api/v1/process-models/{process}/migration-plan?to_version=1"),
    "POST /api/v1/instances": Call("/api/v1/instances", {"process_id": "adviesvraag", "data": {}}, JSON),
    "POST /api/v1/signals": Call("/api/v1/signals", {"gemeente": "leeuwarden", "melding": MELDING}, JSON),
    "POST /api/v1/advice-questions": Call("/api/v1/advice-questions",
                                          {"gemeente": "leeuwarden", "vraag": "Hoe herken ik AU?"}, JSON),
    "GET /api/v1/instances/<int:instance_id>": Call("/api/v1/instances/{case}"),
    "GET /api/v1/instances/<int:instance_id>/history": Call("/api/v1/instances/{case}/history"),
    "GET /api/v1/instances/<int:instance_id>/notes": Call("/api/v1/instances/{case}/notes"),
    "POST /api/v1/instances/<int:instance_id>/notes": Call("/api/v1/instances/{case}/notes",
                                                          {"text": "Proef.", "readers": "af"}),
    "GET /api/v1/instances/<int:instance_id>/notes/<int:note_id>/file":
        Call("/api/v1/instances/{case}/notes/{note}/file"),
    "GET /api/v1/instances/<int:instance_id>/access-log": Call("/api/v1/instances/{case}/access-log"),
    "POST /api/v1/instances/<int:instance_id>/replay": Call("/api/v1/instances/{case}/replay", {}, JSON),
    "POST /api/v1/instances/<int:instance_id>/migrate": Call("/api/v1/instances/{case}/migrate",
                                                             {"to_version": 1}, JSON),
    "POST /api/v1/instances/<int:instance_id>/revert-migration":
        Call("/api/v1/instances/{case}/revert-migration", {}, JSON),
    "GET /api/v1/tasks/<int:task_id>": Call("/api/v1/tasks/{task}"),
    "POST /api/v1/tasks/<int:task_id>/complete": Call("/api/v1/tasks/{task}/complete", {"data": {}}, JSON),
    "POST /api/v1/tasks/<int:task_id>/claim": Call("/api/v1/tasks/{task}/claim", {}, JSON),
    "POST /api/v1/tasks/<int:task_id>/release": Call("/api/v1/tasks/{task}/release", {}, JSON),
    "POST /api/v1/tasks/<int:task_id>/assign": Call("/api/v1/tasks/{task}/assign", {"username": "niemand"}, JSON),
    "POST /api/v1/saved-filters": Call("/api/v1/saved-filters", {"name": "Proef", "params": {"vorm": "SU"}}, JSON),
    "DELETE /api/v1/saved-filters/<int:filter_id>": Call("/api/v1/saved-filters/{filter}"),
    "POST /api/v1/timers/<int:timer_id>/execute": Call("/api/v1/timers/{timer}/execute", {}, JSON),
}
# Logging out ends the client's session: it is called last for every principal.
LAST = "POST /uitloggen"


def route_keys(app: Flask) -> set[str]:
    """Every (method, rule) the app answers, as ``"METHOD /rule"``."""
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def expected(route: str, principal: tuple[str, str] | None) -> str:
    tokens = MATRIX[route].split()
    assert len(tokens) == len(COLUMNS), f"{route}: {len(tokens)} columns, expected {len(COLUMNS)}"
    if principal is None:
        return tokens[0]
    role, side = principal
    cell = tokens[COLUMNS.index(role)]
    own, _, other = cell.partition("/")
    return own if side == OWN or not other else other


def outcome(response: Any) -> str:
    """Classify a response as the matrix does."""
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        if urlsplit(location).path == "/inloggen":
            return "L"
        return "ok"
    if status in (401, 403, 404):
        return str(status)
    if status >= 500:
        return f"{status} (server error)"
    return "ok"


@contextmanager
def dry_run(app: Flask) -> Iterator[None]:
    """Roll every request's transaction back instead of committing it (see the module docstring)."""
    from webapp import db

    def rollback(response: Response) -> Response:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        return response

    funcs = app.after_request_funcs.setdefault(None, [])
    index = funcs.index(db._finish)
    funcs[index] = rollback
    try:
        yield
    finally:
        funcs[index] = db._finish


def call(scene: Scene, route: str, principal: tuple[str, str] | None, csrf: Callable[[], str],
         client: FlaskClient | None = None) -> Any:
    """One request as the principal; ``client``: the session to send it in (default: the scene's own)."""
    method, rule = route.split(" ", 1)
    spec = CALLS.get(route, Call(rule))
    path = spec.path.format(**scene.ids)
    api = path.startswith("/api/")
    client = client or scene.client(None if api else principal)
    headers = dict(spec.headers or {})
    if api:
        headers.update(scene.api_headers(principal))
    elif method != "GET":  # a valid CSRF token, also for the outsider: the login page hands one out
        headers["X-CSRFToken"] = csrf()
    body = spec.body
    if method == "GET" or body is None:
        return client.open(path, method=method, headers=headers)
    if spec.kind == JSON:
        return client.open(path, method=method, json=body, headers=headers)
    form = {**body, "csrf_token": headers.get("X-CSRFToken", "")} if not api else body
    return client.open(path, method=method, data=form, headers=headers)


def fingerprint(scene: Scene) -> str:
    """Row counts of every table plus the mutable state of tasks, meetings and drafts."""
    parts = []
    with unit_of_work(scene.chain.factory) as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in VOLATILE:
                parts.append(f"{table.name}={session.scalar(select(func.count()).select_from(table))}")
        parts += [f"task {t.id} {t.state} {t.assignee_id}" for t in session.scalars(select(HumanTask))]
        parts += [f"meeting {m.id} {m.state} {m.minutes}" for m in session.scalars(select(Meeting))]
        parts += [f"draft {d.id} {d.revision}" for d in session.scalars(select(ModelDraft))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# Tables whose rows churn with every request regardless of the form (sessions' last use, rate buckets).
VOLATILE = {"login_session", "rate_limit_bucket"}
