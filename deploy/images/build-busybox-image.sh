#!/bin/sh
# Writes a busybox LXD unified image tarball built from the host's static busybox (Debian: busybox-static).
#   deploy/images/build-busybox-image.sh OUTPUT.tar.gz [--busybox PATH] [--creation-date ISO-8601]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec node "$here/build-busybox-image.js" "$@"
