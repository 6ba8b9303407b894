#!/usr/bin/env bash
# A WeChat Pay APIv3 client made of curl and openssl only: signs a request the way the official
# docs describe, sends it, and verifies the response signature with the platform public key.
# Usage: openssl-curl.sh BASE_URL MCHID SERIAL_NO PRIVATE_KEY_PEM PLATFORM_PUBLIC_KEY_PEM METHOD PATH [BODY]
# Prints the HTTP status on the first line, then the response body. Exit 3 = bad response signature.
set -euo pipefail
base=$1 mchid=$2 serial=$3 key=$4 pub=$5 method=$6 path=$7 body=${8-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ts=$(date +%s)
nonce=$(openssl rand -hex 16 | tr 'a-f' 'A-F')
printf '%s\n%s\n%s\n%s\n%s\n' "$method" "$path" "$ts" "$nonce" "$body" > "$work/req.txt"
sig=$(openssl dgst -sha256 -sign "$key" "$work/req.txt" | base64 -w0)
auth="WECHATPAY2-SHA256-RSA2048 mchid=\"$mchid\",nonce_str=\"$nonce\",signature=\"$sig\",timestamp=\"$ts\",serial_no=\"$serial\""

args=(-sS -X "$method" -D "$work/headers.txt" -o "$work/body.txt" -w '%{http_code}'
  -H "Authorization: $auth" -H 'Accept: application/json')
if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
status=$(curl "${args[@]}" "$base$path")

header() { grep -i "^$1:" "$work/headers.txt" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
rts=$(header Wechatpay-Timestamp)
rnonce=$(header Wechatpay-Nonce)
header Wechatpay-Signature | base64 -d > "$work/resp.sig"
{ printf '%s\n%s\n' "$rts" "$rnonce"; cat "$work/body.txt"; printf '\n'; } > "$work/resp.txt"
if ! openssl dgst -sha256 -verify "$pub" -signature "$work/resp.sig" "$work/resp.txt" > /dev/null; then
  echo "response signature verification failed" >&2
  exit 3
fi
echo "$status"
cat "$work/body.txt"
