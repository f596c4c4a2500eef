#!/usr/bin/env bash
# `make run`: start IRISX on embedded defaults (SQLite in ./var) and say how to log in.
# On first run it creates a platform operator and keeps its credentials in var/operator.txt.
set -euo pipefail
bin=${1:-build/irisx}
data_dir=${IRISX_DATA_DIR:-./var}
listen=${IRISX_SERVER_LISTEN:-127.0.0.1:8080}
sip_listen=${IRISX_VOICE_SIP_LISTEN:-127.0.0.1:5060}
mkdir -p "$data_dir"
umask 077

if [[ ! -f "$data_dir/operator.txt" ]]; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
  IRISX_OPERATOR_PASSWORD="$password" "$bin" admin create-operator --data-dir "$data_dir" \
    --email admin@irisx.local --name "Platform admin" >/dev/null
  printf 'email=admin@irisx.local\npassword=%s\n' "$password" > "$data_dir/operator.txt"
fi
op_password=$(sed -n 's/^password=//p' "$data_dir/operator.txt")
url="http://$listen"

cat <<MSG

  IRISX is starting on $url   (data: $data_dir, store: SQLite)

  API docs        $url/docs            OpenAPI: $url/v1/openapi.json
  Health          $url/healthz  $url/readyz   Metrics: $url/metrics

  Create a tenant and its owner (prints tokens):
    curl -s $url/v1/auth/signup -H 'Content-Type: application/json' \\
      -d '{"company_name":"Acme","name":"Ada","email":"ada@example.com","password":"choose-a-password"}'
  Then:  curl -s $url/v1/me -H "Authorization: Bearer <access_token>"

  Events and signed webhooks:  GET $url/v1/events, POST $url/v1/webhooks  (docs/webhooks.md);
  this process also delivers them (roles api,worker,voice; embedded queue in SQLite).

  Voice (SIP on $sip_listen, UDP and TCP; diagnostic numbers on):
    sipp -sn uac -s echo $sip_listen -m 1      or dial sip:prompt@$sip_listen from a softphone
    numbers: echo, prompt, ivr-test, ring, milliwatt   (docs/voice.md; call records in the store)

  Platform operator (admin API):  admin@irisx.local / $op_password   (kept in $data_dir/operator.txt)
    curl -s $url/admin/v1/auth/login -H 'Content-Type: application/json' \\
      -d '{"email":"admin@irisx.local","password":"$op_password"}'

  Stop with Ctrl-C (in-flight requests are drained).

MSG
export IRISX_VOICE_DIAGNOSTICS=${IRISX_VOICE_DIAGNOSTICS:-1}
exec "$bin" serve --data-dir "$data_dir" --listen "$listen" --roles "${IRISX_ROLES:-api,worker,voice}" \
  --sip-listen "$sip_listen"
