# Graylane — the two entry points are `make demo` and `make test`; both work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STAMP := node_modules/.graylane-install-stamp

.PHONY: help install build lint test coverage bench demo clean browsers node-lines prometheus

help:
	@echo "make demo   start the reference scenario (installs what it needs)"
	@echo "make test   install, build, lint and run every test"
	@echo "make bench  run the benchmarks (npm run bench)"

# npm ci only when the lock file changed since the last install: idempotent and quick.
$(STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(STAMP)

build: install
	npx tsc -b
	npm run build -w @graylane/console

# The official binaries of every supported Node line (20, 22, 24, 26) from npm, at
# the exact versions pinned in scripts/node-lines.mjs; the agent's tests and
# benchmarks run on each. Installs only what is missing: idempotent.
node-lines:
	./scripts/ensure-node-lines.sh

# Debian's Chromium for the console's browser tests (installed only when missing).
browsers:
	./scripts/ensure-chromium.sh

# Debian's Prometheus for the Rollout analysis tests that read metrics as a user would.
prometheus:
	./scripts/ensure-prometheus.sh

lint: install
	npx biome check .

test: build lint browsers node-lines prometheus
	npx vitest run --coverage
	# The reference scenario end to end: real broker, control plane, gateway, A/B/C; over RocketMQ, then Kafka.
	npx graylane demo --check
	npx graylane demo --check --mq kafka

bench: build node-lines
	npm run bench

# A local RocketMQ 5.3.3 (name server 9876, client endpoint 127.0.0.1:8081); needs Java 17 and Maven.
.PHONY: rocketmq-start rocketmq-stop
rocketmq-start: build
	npx graylane rocketmq start

rocketmq-stop: build
	npx graylane rocketmq stop

# A local single-node Kafka 4 in KRaft mode (bootstrap 127.0.0.1:9092); needs Java 17 and Maven.
.PHONY: kafka-start kafka-stop
kafka-start: build
	npx graylane kafka start

kafka-stop: build
	npx graylane kafka stop

# The reference scenario: broker, control plane, gateway on :20000, A/B/C baseline and gray.
demo: build
	npx graylane demo

clean:
	rm -rf node_modules .node-lines packages/*/dist packages/*/tsconfig.tsbuildinfo examples/*/dist examples/*/tsconfig.tsbuildinfo coverage test-results
