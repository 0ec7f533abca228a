#!/bin/sh
# Rollout analysis with the `prometheus` provider and the control plane's metrics
# are tested against Debian's Prometheus, started by the tests themselves (a free
# port, a temporary config and data directory). Installs it only when it is
# missing: idempotent. The package's own service is not used, so it is stopped
# and disabled where systemd runs it.
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
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
[ -x "$PROMETHEUS" ] || { echo "ensure-prometheus: $PROMETHEUS still missing after install" >&2; exit 1; }
