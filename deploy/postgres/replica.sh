#!/bin/sh
# A streaming replica of `primary`: cloned with pg_basebackup -R on its first start (which writes
# the settings that make it follow), then a hot standby that reports what its queries still
# need, so that vacuum on the primary does not cancel them.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup -h primary -U replicator -D "$PGDATA" -R -X stream; do
        sleep 1
    done
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby_feedback=on
