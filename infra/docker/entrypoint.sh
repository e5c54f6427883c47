#!/bin/sh
# Picks the DriftGuard unit to run from the container's command.
set -eu
unit="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$unit" in
  ingest|analysis|recommender|notifier|api)
    exec node "/app/${unit}/dist/main.js" "$@" ;;
  migrate)
    exec node /app/dg/dist/main.js migrate up "$@" ;;
  dg)
    exec node /app/dg/dist/main.js "$@" ;;
  *)
    echo "driftguard: unknown unit '${unit}' (expected ingest, analysis, recommender, notifier, api, migrate or dg)" >&2
    exit 64 ;;
esac
