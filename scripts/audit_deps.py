"""Dependency audit (pip-audit) of the installed, pinned environment, with the policy of SECURITY.md.

- A known vulnerability in any installed distribution fails, always, everywhere.
- A distribution that could not be checked (the vulnerability database is unreachable, or the index
  answers without its JSON API) is listed in a loud block. It fails the run only when
  ``AUDIT_DEPS_REQUIRED=true`` (a release pipeline with network access); elsewhere the run goes on,
  because a machine that only reaches the package index can never pass an audit it cannot perform.

Deterministic: the environment is the pinned one ``make install`` built; pip-audit keeps its answers in
``.cache/pip-audit`` and reads no requirement resolution of its own (it audits what is installed).
Run through ``make audit-deps``; ``make test`` calls it when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import subprocess  # noqa: S404 - runs pip-audit from this virtualenv with fixed arguments
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "pip-audit"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    required = os.environ.get("AUDIT_DEPS_REQUIRED", "").lower() == "true"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [str(PIP_AUDIT), "--skip-editable", "--progress-spinner", "off", "--vulnerability-service",
                   "pypi", "--cache-dir", str(CACHE), "--format", "json", "--output", str(report)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.exists():
            print(done.stdout + done.stderr, file=sys.stderr)
            return _unchecked(["(pip-audit gaf geen rapport)"], required)
        dependencies = json.loads(report.read_text())["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    unchecked = [f"{d['name']}: {d['skip_reason']}" for d in dependencies
                 if d.get("skip_reason") and "editable" not in d["skip_reason"]]
    checked = sum(1 for d in dependencies if not d.get("skip_reason"))
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "geen"
            print(f"KWETSBAAR: {dependency['name']} {dependency['version']}: {vuln['id']} (opgelost in: {fixes})")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} afhankelijkheid/afhankelijkheden met bekende kwetsbaarheden.")
        return 1
    if unchecked:
        return _unchecked(unchecked, required, checked)
    print(f"pip-audit: {checked} afhankelijkheden gecontroleerd, geen bekende kwetsbaarheden.")
    return 0


def _unchecked(names: list[str], required: bool, checked: int = 0) -> int:
    bar = "!" * 78
    print(bar)
    print(f"AFHANKELIJKHEDEN NIET GECONTROLEERD: {len(names)} pakket(ten) (wel gecontroleerd: {checked}).")
    print("De kwetsbaarhedendatabase (PyPI JSON-API) is vanaf deze machine niet bereikbaar.")
    for name in names[:10]:
        print(f"  {name}")
    if len(names) > 10:
        print(f"  ... en {len(names) - 10} meer")
    print("Beleid: zie SECURITY.md, 'Afhankelijkheden'. Zet AUDIT_DEPS_REQUIRED=true om hierop te falen.")
    print(bar)
    return 1 if required else 0


if __name__ == "__main__":
    sys.exit(main())
