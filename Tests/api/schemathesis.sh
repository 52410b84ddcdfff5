#!/usr/bin/env bash
# Property-based API tests: checks the running server against Resources/openapi.json with
# Schemathesis 4.x, once per demo role, then without credentials.
#
# Needs a server started with fresh demo data (password gonio-demo-2026), e.g.
#   GONIO_DATA_DIR=$(mktemp -d) PORT=8080 gonio serve
# Usage:  BASE=http://127.0.0.1:8080 Tests/api/schemathesis.sh
#
# Environment:
#   BASE            server address (default http://127.0.0.1:8080)
#   MAX_EXAMPLES    test cases per operation for the clinic-admin run (default 25; other roles get 2/3)
#   SEED            random seed (default 20261129)
#   SCHEMATHESIS    schemathesis command to use (default: on PATH, else installed into a cache venv)
#   REPORT_DIR      if set, JUnit and NDJSON reports are written to REPORT_DIR/<run>/
#
# Order matters: every token is fetched first, because fuzzing POST /api/v1/auth/token trips the
# login throttle (20 failures from one address across accounts in 15 minutes, then 429). Runs that
# can change demo data (the clinic admin may verify or reject therapists) come last.
set -uo pipefail

BASE="${BASE:-http://127.0.0.1:8080}"
BASE="${BASE%/}"
MAX_EXAMPLES="${MAX_EXAMPLES:-25}"
SEED="${SEED:-20261129}"
PASSWORD="gonio-demo-2026"
ROLE_EXAMPLES=$(( MAX_EXAMPLES * 2 / 3 ))
(( ROLE_EXAMPLES < 5 )) && ROLE_EXAMPLES=5

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'schemathesis.sh: %s\n' "$*" >&2; exit 2; }

command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"

# --- Schemathesis -------------------------------------------------------------------------
if [[ -n "${SCHEMATHESIS:-}" ]]; then
    ST=("$SCHEMATHESIS")
elif command -v schemathesis >/dev/null && schemathesis --version 2>/dev/null | grep -q 'version 4\.'; then
    ST=(schemathesis)
else
    venv="${XDG_CACHE_HOME:-$HOME/.cache}/gonio-schemathesis-venv"
    if [[ ! -x "$venv/bin/schemathesis" ]]; then
        log "installing schemathesis 4 into $venv"
        python3 -m venv "$venv" && "$venv/bin/pip" install --quiet 'schemathesis==4.32.5' \
            || die "could not install schemathesis; set SCHEMATHESIS to a 4.x binary"
    fi
    ST=("$venv/bin/schemathesis")
fi
"${ST[@]}" --version >&2

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# --- Server up? -------------------------------------------------------------------------------
for _ in $(seq 1 60); do
    curl -fsS "$BASE/health" >/dev/null 2>&1 && break
    sleep 1
done
curl -fsS "$BASE/health" >/dev/null || die "no server answering at $BASE/health"
curl -fsS "$BASE/api/v1/openapi.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["openapi"].startswith("3.1")' \
    || die "GET $BASE/api/v1/openapi.json is not an OpenAPI 3.1 document"

# --- Tokens, all fetched before any sign-in fuzzing --------------------------------------------
token_for() {
    local email="$1" status
    status="$(curl -sS -o "$WORK/token.json" -w '%{http_code}' -X POST "$BASE/api/v1/auth/token" \
        -H 'Content-Type: application/json' \
        --data "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}")" || die "sign-in request for $email failed"
    [[ "$status" == 200 ]] || die "sign-in as $email answered $status: $(cat "$WORK/token.json") (demo data missing, or the login throttle is active: restart the server with a fresh data directory)"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/token.json"
}

declare -A TOKEN
for role in caregiver patient therapist unverified platform admin; do
    TOKEN[$role]="$(token_for "$role@example.com")" || exit 2
done
TOKEN[signout]="$(token_for patient2@example.com)" || exit 2

# --- Demo records, so that generated requests also reach real patients and therapists ----------
api_get() {  # api_get TOKEN PATH -> JSON on stdout
    curl -fsS "$BASE$2" -H "Authorization: Bearer $1" || die "GET $2 failed"
}
api_get "${TOKEN[admin]}" /api/v1/patients > "$WORK/patients.json"
api_get "${TOKEN[admin]}" /api/v1/therapists > "$WORK/therapists.json"
curl -fsS "$BASE/api/v1/clinics" > "$WORK/clinics.json" || die "GET /api/v1/clinics failed"
MARIA="$(python3 -c 'import json,sys; print(next(p["id"] for p in json.load(open(sys.argv[1]))["items"] if p.get("email") == "patient@example.com"))' "$WORK/patients.json")" \
    || die "demo patient patient@example.com not found"
api_get "${TOKEN[admin]}" "/api/v1/patients/$MARIA/caregivers" > "$WORK/links.json"
api_get "${TOKEN[therapist]}" "/api/v1/exercises?per=1000" > "$WORK/exercises.json"
api_get "${TOKEN[therapist]}" /api/v1/protocols > "$WORK/protocols.json"
api_get "${TOKEN[therapist]}" "/api/v1/patients/$MARIA/plan" > "$WORK/plan.json"
api_get "${TOKEN[therapist]}" "/api/v1/patients/$MARIA/practice-alerts?open=false" > "$WORK/alerts.json"

# Values Schemathesis draws from (with some probability) instead of inventing them.
python3 - "$WORK" > "$WORK/schemathesis.toml" <<'PY'
import datetime, json, sys
work = sys.argv[1]
load = lambda name: json.load(open(f"{work}/{name}.json"))
today = datetime.date.today()
def values(name, items):
    print(f"[dictionaries.{name}]")
    print("values = " + json.dumps(sorted(set(items))))
values("patients", [p["id"] for p in load("patients")["items"]])
values("therapists", [t["id"] for t in load("therapists")])
values("clinics", [c["id"] for c in load("clinics")])
values("links", [l["id"] for l in load("links")])
values("caregivers", ["caregiver@example.com"])
values("days", [(today + datetime.timedelta(days=d)).isoformat() for d in (1, 90, 700)])
values("passwords", ["gonio-demo-2026"])
values("exercises", [e["id"] for e in load("exercises")["items"]][:60])
values("protocols", [p["id"] for p in load("protocols")])
values("items", [i["id"] for i in load("plan")["items"]])
values("alerts", [a["id"] for a in load("alerts")] or ["00000000-0000-4000-8000-000000000000"])
print("""
[parameters]
"path.patientId" = { dictionary = "patients", probability = 0.7 }
"query.patientId" = { dictionary = "patients", probability = 0.5 }
"path.therapistId" = { dictionary = "therapists", probability = 0.6 }
"body.therapistId" = { dictionary = "therapists", probability = 0.6 }
"path.linkId" = { dictionary = "links", probability = 0.5 }
"body.clinicId" = { dictionary = "clinics", probability = 0.5 }
"path.clinicId" = { dictionary = "clinics", probability = 0.5 }
"body.caregiverEmail" = { dictionary = "caregivers", probability = 0.5 }
"body.expiresOn" = { dictionary = "days", probability = 0.5 }
"body.currentPassword" = { dictionary = "passwords", probability = 0.5 }
"path.exerciseId" = { dictionary = "exercises", probability = 0.7 }
"body.copyOf" = { dictionary = "exercises", probability = 0.5 }
"body.exerciseId" = { dictionary = "exercises", probability = 0.7 }
"path.protocolId" = { dictionary = "protocols", probability = 0.7 }
"body.protocolId" = { dictionary = "protocols", probability = 0.5 }
"body.itemId" = { dictionary = "items", probability = 0.7 }
"path.alertId" = { dictionary = "alerts", probability = 0.7 }

# Operations whose well-formed requests can still break a rule that a schema cannot state
# (the clinic or caregiver account must exist, the current password must match, common
# passwords are refused, a plan exists or not, a log id was used, a check-in's day is too far back, an
# edited dose is out of range, a message is empty or its photo is not the image it says, a statement's span is reversed, a claim file lacks the clinic's profile, ...). For them
# 422 is a correct answer to schema-valid data.
[[operations]]
include-operation-id = ["register", "addClinicAdmin", "changePassword", "addCareTeamMember", "linkCaregiver", "saveIntakeDraft", "submitIntake", "decideIntakeTriage", "scoreMeasure", "assignMeasure", "completeMeasure", "createNote", "updateNote", "signNote", "addAddendum", "noteTemplate", "createExercise", "updateExercise", "archiveExercise", "addExerciseMedia", "removeExerciseMedia", "createPlan", "revisePlan", "endPlan", "logPractice", "acknowledgePracticeAlert", "saveTherapistSchedule", "listTherapistSlots", "listVisits", "bookVisit", "bookVisitSeries", "rescheduleVisit", "cancelVisit", "recordVisitAttendance", "inviteVisitGuest", "saveCheckIn", "acceptSuggestion", "startThread", "replyThread", "saveClinicProgressionRules", "recordRomMeasurement", "issueInvoice", "recordPayment", "saveCoverage", "logRTMTime", "saveClinicPrices", "codeVisit", "applySlidingScale", "decideSlidingScale", "enrollPatient", "estimateVisitCost", "createPaymentPlan", "getRTMLedger", "getRTMWorklist", "getStatement", "invoiceVisit", "exportClaim"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# The live counting socket answers a plain request 426 (it is opened as a WebSocket).
[[operations]]
include-operation-id = ["motionLive"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "426", "429"]
""")
PY

# Every check runs: the server answers 405 with an Allow header for a method a path lacks.
EXCLUDE_CHECKS=()

# Public operations are fuzzed once (admin run and anonymous run), not per role.
PUBLIC_OPS=(--exclude-operation-id getHealth --exclude-operation-id getMetrics
            --exclude-operation-id getOpenAPIDocument --exclude-operation-id listClinics
            --exclude-operation-id register --exclude-operation-id getCalendarFeed)
SESSION_OPS=(--exclude-operation-id createToken --exclude-operation-id revokeToken --exclude-operation-id changePassword)

FAILED=()
run() {
    local name="$1"; shift
    local report=()
    [[ -n "${REPORT_DIR:-}" ]] && report=(--report junit,ndjson --report-dir "$REPORT_DIR/$name")
    log "schemathesis: $name"
    # One worker: Hypothesis parses sources with `ast`, which is not thread-safe on some
    # Python 3.11 releases ("AST constructor recursion depth mismatch").
    (cd "$WORK" && "${ST[@]}" --config-file "$WORK/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
        --url "$BASE" --checks all "${EXCLUDE_CHECKS[@]}" --seed "$SEED" \
        --generation-database none --workers 1 --request-timeout 20 --no-color "${report[@]}" "$@") \
        || FAILED+=("$name")
}

run caregiver  -H "Authorization: Bearer ${TOKEN[caregiver]}"  -n "$ROLE_EXAMPLES" "${SESSION_OPS[@]}" "${PUBLIC_OPS[@]}"
run patient    -H "Authorization: Bearer ${TOKEN[patient]}"    -n "$ROLE_EXAMPLES" "${SESSION_OPS[@]}" "${PUBLIC_OPS[@]}"
run unverified -H "Authorization: Bearer ${TOKEN[unverified]}" -n "$ROLE_EXAMPLES" "${SESSION_OPS[@]}" "${PUBLIC_OPS[@]}"
run therapist  -H "Authorization: Bearer ${TOKEN[therapist]}"  -n "$ROLE_EXAMPLES" "${SESSION_OPS[@]}" "${PUBLIC_OPS[@]}"
run platform   -H "Authorization: Bearer ${TOKEN[platform]}"   -n "$ROLE_EXAMPLES" "${SESSION_OPS[@]}" "${PUBLIC_OPS[@]}"
run admin      -H "Authorization: Bearer ${TOKEN[admin]}"      -n "$MAX_EXAMPLES"  "${SESSION_OPS[@]}"
# patient2 changes its password (the demo password is offered as the current one), then signs out.
run password   -H "Authorization: Bearer ${TOKEN[signout]}"    -n "$ROLE_EXAMPLES" --include-operation-id changePassword \
    --phases examples,coverage,fuzzing
run sign-out   -H "Authorization: Bearer ${TOKEN[signout]}"    -n 5 --include-operation-id revokeToken \
    --phases examples,coverage,fuzzing
# Last: no credentials at all, including sign-in (which ends in 429 once the throttle trips).
run anonymous  -n "$ROLE_EXAMPLES"

if (( ${#FAILED[@]} )); then
    printf '\nschemathesis.sh: failures in: %s\n' "${FAILED[*]}" >&2
    exit 1
fi
printf '\nschemathesis.sh: all runs passed\n' >&2
