#!/bin/bash
# Docker HEALTHCHECK: GET /healthz on this container's own HTTP port, with bash's /dev/tcp so the
# runtime image needs neither curl nor wget. Liveness only: it never depends on the cluster.
port="${PORT:-}"
if [ -z "$port" ]; then
  case "${ROLE:-node}" in
    balancer | load-balancer) port=8080 ;;
    *) port=8081 ;;
  esac
fi
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) exit 1 ;;
esac
