#!/bin/sh
# Rollout analysis with the `prometheus` provider is tested against Debian's
# Prometheus, started by the tests themselves. Installs it only when it is
# missing: idempotent. The package's own service is not used (nor needed).
set -eu

PROMETHEUS=/usr/bin/prometheus
[ -x "$PROMETHEUS" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure-prometheus: $PROMETHEUS is missing, installing the Debian package prometheus" >&2
if ! $SUDO apt-get install -y --no-install-recommends prometheus; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends prometheus
fi
[ -x "$PROMETHEUS" ] || { echo "ensure-prometheus: $PROMETHEUS still missing after install" >&2; exit 1; }
