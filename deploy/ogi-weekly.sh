#!/usr/bin/env bash
# The weekly job: an incremental crawl of every registry site into the archive, then output/ rebuilt
# from the archive (no network). Run by cron (deploy/crontab.example) or systemd (deploy/systemd/).
#
# Environment (all optional):
#   OGI_HOME      checkout with its .venv              (default: the directory above this script)
#   OGI_DATA      where archive/, output/, state/ live  (default: /srv/ogi)
#   OGI_REDIS_URL share the crawl with workers on other machines (deploy/systemd/ogi-worker.service)
#   OGI_CRAWL_ARGS selection instead of every site, e.g. "--province 江苏"
#   OGI_CONTACT_URL page that says who runs the crawl (sent in the User-Agent)
#
# Exit status: 0 all well, 1 the crawl or the rebuild failed, 3 the run summary has alerts
# (a site returned nothing or changed its layout: see $OGI_DATA/archive/run-summary.json).
set -euo pipefail
OGI_HOME=${OGI_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
OGI_DATA=${OGI_DATA:-/srv/ogi}
PY="$OGI_HOME/.venv/bin/python"
ARCHIVE="$OGI_DATA/archive"
STATE="$OGI_DATA/state"
mkdir -p "$ARCHIVE" "$STATE" "$OGI_DATA/output"
cd "$OGI_HOME"

# one run at a time: a weekly run still going when the next one starts is left alone
exec 9>"$STATE/weekly.lock"
if ! flock -n 9; then
  echo "ogi-weekly: previous run still active, skipping" >&2
  exit 0
fi

redis=()
if [ -n "${OGI_REDIS_URL:-}" ]; then redis=(--redis "$OGI_REDIS_URL"); fi
# shellcheck disable=SC2086  # OGI_CRAWL_ARGS is a list of words on purpose
"$PY" -m ogi crawl ${OGI_CRAWL_ARGS:---all} --no-extract --progress plain \
  --archive "$ARCHIVE" --jobdir "$STATE/job" "${redis[@]}"
reason=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["finish_reason"])' "$ARCHIVE/run-summary.json")
if [ "$reason" != "finished" ]; then
  # stopped (SIGTERM, shutdown): the job directory holds the queue; the next run resumes it
  echo "ogi-weekly: crawl ended with '$reason'; it resumes from $STATE/job next time" >&2
  exit 1
fi
rm -rf "$STATE/job"  # finished: next week starts afresh (the catalog remembers what is archived)

# rebuild the dataset from everything ever archived; the writer swaps output/ in atomically
"$PY" -m ogi extract "$ARCHIVE" --out "$OGI_DATA/output" --workers 2 --quiet || [ $? -eq 1 ]  # 1: some pages were not reports

"$PY" -m crawler.monitors "$ARCHIVE/run-summary.json" || exit 3
