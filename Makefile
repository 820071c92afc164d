# ktriage: a thin wrapper over CMake, which is the build system of record.
#
#   make run           install what is missing, build, write the analysis
#                      report of this machine's logs (or of examples/ when
#                      none of them is readable)
#   make test          ctest in build/, again in build-asan/ (ASan, UBSan,
#                      LSan), then every fuzz target for FUZZ_SECONDS;
#                      fails if any of the three fails
#   make build         install what is missing and build build/ (= make)
#   make check         ctest in build/ only;  make check-asan, check-fuzz:
#                      the other two steps of make test, on their own
#   make bench         bench/run.sh build (see README.md)
#   make format-check  clang-format --dry-run over src/ and tests/
#   make clean         remove the build folders
#
# Variables (make VAR=value):
#   FUZZ_SECONDS  how long each fuzz target runs (60)
#   JOBS          parallel jobs (the number of CPUs)
#   CTEST_ARGS    more ctest arguments, e.g. CTEST_ARGS='-R cases'
#   ASAN_CC       compiler of build-asan/ (gcc); FUZZ_CC of build-fuzz/ (clang)
#   RUN_ARGS      what make run runs (report --fallback examples/)
#   NO_DEPS=1     do not check or install Debian packages

FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=
BUILD_TYPE ?= RelWithDebInfo
ASAN_CC ?= gcc
ASAN_BUILD_TYPE ?= Debug
FUZZ_CC ?= clang
RUN_ARGS ?= report --fallback examples/

MAKEFLAGS += --no-print-directory

CMAKE ?= cmake
CTEST ?= ctest
CLANG_FORMAT ?= clang-format

ifeq ($(NO_DEPS),1)
DEPS := :
else
DEPS := scripts/install-deps.sh
endif

SAN_ENV := ASAN_OPTIONS=detect_leaks=1 \
	   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Each step runs its own jobs in parallel; the steps themselves run in
# order, even under make -j.
.NOTPARALLEL:
.PHONY: all build run test check check-asan check-fuzz bench clean \
	format-check deps-run deps-test help

all: build

help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' Makefile

deps-run:
	@$(DEPS) --run

deps-test:
	@$(DEPS) --test

build: deps-run
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	$(CMAKE) --build build -j $(JOBS)

run: deps-run
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	$(CMAKE) --build build -j $(JOBS) --target ktriage
	./build/ktriage $(RUN_ARGS)

# Every step runs even when an earlier one failed, so that one run shows
# all the failures; make test fails when any step did.
test: deps-test
	@failed=; \
	for step in check check-asan check-fuzz; do \
		$(MAKE) --no-print-directory NO_DEPS=1 $$step || \
			failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "make test: FAILED:$$failed" >&2; \
		exit 1; \
	fi; \
	echo "make test: check, check-asan and check-fuzz passed"

check: deps-test build
	cd build && $(CTEST) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

check-asan: deps-test
	$(CMAKE) -S . -B build-asan -DCMAKE_C_COMPILER=$(ASAN_CC) \
		-DCMAKE_BUILD_TYPE=$(ASAN_BUILD_TYPE) -DKT_SANITIZE=ON
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && $(SAN_ENV) \
		$(CTEST) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

check-fuzz: deps-test
	$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=$(FUZZ_CC) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKT_FUZZ=ON
	$(CMAKE) --build build-fuzz -j $(JOBS) --target fuzz
	$(SAN_ENV) tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	@if [ ! -x bench/run.sh ]; then \
		echo "make bench: bench/run.sh is missing or not executable" >&2; \
		exit 1; \
	fi
	bench/run.sh build

format-check:
	git ls-files -z 'src/*.[ch]' 'tests/*.[ch]' | \
		xargs -0 $(CLANG_FORMAT) --dry-run --Werror

clean:
	rm -rf build build-asan build-fuzz
