# The two commands: `make run` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all build run test unit-test asan-test integration-test sip-test bench fuzz deps test-deps format clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@echo "built $(BUILD_DIR)/irisx"

run: build
	@scripts/run.sh $(BUILD_DIR)/irisx

test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600
	$(MAKE) asan-test

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit -j $(JOBS)

integration-test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration -j $(JOBS) --timeout 600

# The unit suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan-test: test-deps
	@test -f $(ASAN_DIR)/build.ninja -o -f $(ASAN_DIR)/Makefile || \
	  cmake -S . -B $(ASAN_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug \
	    -DIRISX_SANITIZE="address;undefined" -DIRISX_UNIT_ONLY=ON
	cmake --build $(ASAN_DIR) -j $(JOBS) --target irisx_unit_tests
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -L unit -j $(JOBS)

sip-test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -L sip -j $(JOBS) --timeout 600

# libFuzzer targets (clang) for the parsers that face the network; FUZZ_SECONDS each.
fuzz:
	@scripts/fuzz.sh

bench:
	@scripts/install-deps.sh bench
	$(MAKE) build
	bench/api/run.sh $(BUILD_DIR)/irisx
	bench/webhooks/run.sh $(BUILD_DIR)/irisx
	bench/postgres/ceiling.sh $(BUILD_DIR)/irisx
	bench/voice/run.sh $(BUILD_DIR)/irisx

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
