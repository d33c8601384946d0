# Concierge: build, run and test. The work is in scripts/; see each script's header.
#   make run                      whole stack in the foreground (Ctrl-C stops it)
#   make up / down / status       the same stack in the background
#   make test ARGS="--filter X"   tests against a private PostgreSQL and broker
#   make bench                    gateway vs direct throughput and latency (release build)
SHELL := /bin/bash
ARGS ?=

.PHONY: install build run up down status test bench clean-run

install:
	@bash scripts/install.sh

build: install
	@bash scripts/build.sh

run:
	@bash scripts/stack.sh run

up:
	@bash scripts/stack.sh up

down:
	@bash scripts/stack.sh down

status:
	@bash scripts/stack.sh status

test:
	@bash scripts/test.sh $(ARGS)

bench:
	@bash scripts/bench.sh

clean-run:
	@bash scripts/clean-run.sh
