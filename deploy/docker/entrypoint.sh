#!/bin/sh
# Starts one p2p-share process as PID 1 (exec), so SIGTERM reaches the JVM and drains it.
#   ROLE=node|signaling-node   -> /app/signaling-node.jar   (default)
#   ROLE=balancer|load-balancer -> /app/load-balancer.jar
# An argument overrides ROLE (`docker run IMAGE balancer`); any other command is run as given
# (`docker run -it IMAGE bash`). JAVA_OPTS adds JVM flags to the image's JAVA_TOOL_OPTIONS.
set -eu

role="${ROLE:-node}"
if [ "$#" -gt 0 ]; then
  case "$1" in
    node | signaling-node | balancer | load-balancer) role="$1"; shift ;;
    *) exec "$@" ;;
  esac
fi
case "$role" in
  node | signaling-node) module=signaling-node ;;
  balancer | load-balancer) module=load-balancer ;;
  *) echo "entrypoint: unknown ROLE '$role' (node or balancer)" >&2; exit 64 ;;
esac

# Hazelcast and the clustered event bus bind and advertise CLUSTER_HOST. Its default, 127.0.0.1,
# is unreachable from other containers, so default to this container's own address.
if [ -z "${CLUSTER_HOST:-}" ]; then
  CLUSTER_HOST="$(hostname -i 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | head -n 1 || true)"
  if [ -z "$CLUSTER_HOST" ]; then
    CLUSTER_HOST="$(hostname)"
  fi
  export CLUSTER_HOST
fi

# The module's shipped JVM flags first (PROTOCOL.md: java @<module>/jvm.options -jar <jar>), so
# what was measured is what runs; JAVA_OPTS after them, so an operator's flag wins.
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags on purpose
exec java @"/app/$module/jvm.options" ${JAVA_OPTS:-} -jar "/app/$module.jar" "$@"
