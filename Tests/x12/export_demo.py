"""Exports the 837P claim of the demo's coded visit from a running Gonio, as the clinic's desk."""
import sys

import requests

base, target = sys.argv[1], sys.argv[2]
auth = requests.post(f"{base}/api/v1/auth/token", json={"email": "admin@example.com", "password": "gonio-demo-2026"}, timeout=30)
auth.raise_for_status()
headers = {"Authorization": f"Bearer {auth.json()['token']}"}
therapist = requests.post(f"{base}/api/v1/auth/token", json={"email": "therapist@example.com", "password": "gonio-demo-2026"}, timeout=30).json()["token"]
patients = requests.get(f"{base}/api/v1/patients", headers={"Authorization": f"Bearer {therapist}"}, timeout=30).json()["items"]
maria = next(p["id"] for p in patients if p["name"] == "Maria Lopez")
visits = requests.get(f"{base}/api/v1/visits", headers=headers, timeout=30).json()["items"]
for visit in (v for v in visits if v["patientId"].lower() == maria.lower()):
    claim = requests.get(f"{base}/api/v1/visits/{visit['id']}/claim", params={"format": "x12"}, headers=headers, timeout=30)
    if claim.status_code == 200:
        assert claim.headers["content-type"].startswith("application/edi-x12"), claim.headers["content-type"]
        with open(target, "w", encoding="ascii") as f:
            f.write(claim.text)
        print(f"exported the claim of visit {visit['id']}")
        break
else:
    sys.exit("no coded visit of Maria's has a claim to export")
