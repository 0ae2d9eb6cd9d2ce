# ordersim — one Makefile for the library, the CLI, the tests and the demo.
#
#   make            build build/ordersim
#   make test       build and run every test (include arrows + unit tests + CLI tests)
#   make demo       build, run the flagship comparison, print where the report is
#   make report-check   render the demo and a capacity report in headless Chromium (not in make test)
#   make install PREFIX=/usr/local   the binary, the man page ordersim.1 and bash completion
#   make deps       install missing Debian packages (apt-get as root, else print the command)
#   make SANITIZE=address test   (or undefined) the same under a sanitizer, in build/address/
#   make kill-test  100 SIGKILLs of sweep shards, merge and optimize (KILL_SECONDS=60: a cut)
#
# Objects go under $(BUILD); -MMD -MP writes header dependencies next to them.

CC       ?= cc
SANITIZE ?=
BUILD    ?= build
ifneq ($(SANITIZE),)
BUILD    := build/$(SANITIZE)
endif

PKGS     := sqlite3 libcjson
DEBS     := libsqlite3-dev libcjson-dev gnuplot-nox libcriterion-dev pkg-config parallel sqlite3 python3-simpy3 python3

WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
OPT      ?= -O2
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(OPT) -g -ffp-contract=off -MMD -MP -Ibase -Icore -Isim -Ireports -Iapp
LDLIBS   += -lm
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif
# Recursive (=) so that pkg-config runs after `deps` has installed what it needs.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

BASE_SRC := $(wildcard base/*.c)
CORE_SRC := $(wildcard core/*.c)
RPT_SRC  := $(wildcard reports/*.c)
SIM_SRC  := $(wildcard sim/*.c)
APP_SRC  := $(filter-out app/main.c,$(wildcard app/*.c))
TEST_SRC := $(wildcard tests/test_*.c)

BASE_OBJ := $(BASE_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
RPT_OBJ  := $(RPT_SRC:%.c=$(BUILD)/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  := $(APP_OBJ) $(SIM_OBJ) $(RPT_OBJ) $(CORE_OBJ) $(BASE_OBJ)

BIN      := $(BUILD)/ordersim
TESTBIN  := $(BUILD)/unit_tests
DEPS_OK  := build/.deps-ok

.PHONY: all deps test arrows unit cli-test golden golden-check mutate kill-test demo report-check bench queue-bench fuzz clean install
all: $(BIN)

# The stamp makes a warm machine pay nothing: the check runs once per checkout.
$(DEPS_OK):
	@sh tools/deps.sh $(DEBS)
	@mkdir -p build && touch $@
deps:
	@rm -f $(DEPS_OK)
	@$(MAKE) --no-print-directory $(DEPS_OK)

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BIN): $(BUILD)/app/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CRIT_LIBS) $(LDLIBS)

unit: $(TESTBIN)
	$(TESTBIN) --jobs 2

cli-test: $(BIN)
	ORDERSIM=$(BIN) sh tests/cli/run_all.sh

# The include arrows run one way (tools/arrows.sh): app -> sim -> reports -> core -> base.
arrows:
	@sh tools/arrows.sh

test: arrows unit cli-test

# Golden outputs (tests/golden/): the CLI test t_golden.sh compares them as part of `make
# test`; `make golden` regenerates them after an intended change and prints each metric that
# moved (docs/regression.md).
golden-check: $(BIN)
	@sh tools/golden.sh check $(BIN)
golden: $(BIN)
	@sh tools/golden.sh update $(BIN)

# Mutation testing (not part of `make test`): applies each mutation of tests/mutations.txt
# to a copy of the tree under build/mutate/, builds it and runs the fast suite; exits 1 if a
# mutation survives or no longer applies. MUTATE_ONLY=N,M runs only those lines' mutations.
mutate: $(BIN) $(TESTBIN)
	@MUTATE_ONLY=$(MUTATE_ONLY) sh tools/mutate.sh

# The kill test (not part of `make test`; .ci/run runs a 60-second cut): KILLS SIGKILLs of
# sweep shards, merge and optimize at random moments, then integrity, no run left showing
# 'running', and every run there in the end (docs/reliability.md, "The eight rules").
KILLS ?= 100
KILL_SECONDS ?= 0
kill-test: $(BIN)
	@ORDERSIM=$(BIN) KILLS=$(KILLS) KILL_SECONDS=$(KILL_SECONDS) sh tools/kill_test.sh

demo: $(BIN)
	@sh tools/demo.sh $(BIN)

# Renders the demo's and a capacity report in headless Chromium (installed when missing):
# fails on console messages, external requests or missing sections; screenshots in out/report-check/.
report-check: $(BIN)
	@sh tools/report_check.sh $(BIN)

# Benchmarks run on the release build (never the sanitizer one); CALLGRIND=1 adds Ir/event.
bench: $(BIN) build/ref_mm1 queue-bench
	@CALLGRIND=$(CALLGRIND) REF_MM1=build/ref_mm1 sh tools/bench.sh $(BIN)

# The machine-speed reference of make bench: a bare M/M/1 event loop (tools/ref_mm1.c).
build/ref_mm1: tools/ref_mm1.c
	@mkdir -p build
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -O2 $< -o $@ -lm

# The event queue's hold-model microbenchmark (tools/queue_hold.c), built against the queue as
# shipped and against its 4-ary heap alone (-DSIM_QUEUE_HEAP_ONLY); CALLGRIND=1 adds Ir/op.
QH_SRC := tools/queue_hold.c sim/sim_queue.c base/os.c
$(BUILD)/queue_hold: $(QH_SRC) sim/sim_queue.h base/os.h | $(DEPS_OK)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $(QH_SRC) $(LDLIBS)
$(BUILD)/queue_hold_heap: $(QH_SRC) sim/sim_queue.h base/os.h | $(DEPS_OK)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -DSIM_QUEUE_HEAP_ONLY -o $@ $(QH_SRC) $(LDLIBS)
queue-bench: $(BUILD)/queue_hold $(BUILD)/queue_hold_heap
	@CALLGRIND=$(CALLGRIND) sh tools/queue_hold.sh $(BUILD)/queue_hold_heap $(BUILD)/queue_hold

# libFuzzer targets (clang), with ASan and UBSan: make fuzz FUZZ_SECONDS=600 runs each for
# that long, seeded from scenarios/ and tests/bad_input/; crashes land in build/fuzz/crashes/
# (copy each into tests/fuzz_regressions/ once fixed).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_scenario fuzz_process fuzz_set fuzz_olog fuzz_sim
FUZZ_LIB_SRC  = $(BASE_SRC) $(CORE_SRC) sim/scn_load.c sim/scn_warn.c sim/sim_rate.c sim/sim_rng.c sim/csv.c sim/olog.c reports/rpt.c reports/rpt_metric.c
build/fuzz/%: fuzz/%.c $(FUZZ_LIB_SRC) | $(DEPS_OK)
	@mkdir -p build/fuzz
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Ibase -Icore -Isim -Ireports $(PKG_CFLAGS) $^ -o $@ $(PKG_LIBS) -lm
# fuzz_sim runs the simulator: it needs the model and the event queue too.
build/fuzz/fuzz_sim: fuzz/fuzz_sim.c $(FUZZ_LIB_SRC) sim/sim_model.c sim/sim_queue.c sim/sim_station.c sim/sim_admit.c sim/sim_fault.c | $(DEPS_OK)
	@mkdir -p build/fuzz
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Ibase -Icore -Isim -Ireports -Ifuzz $(PKG_CFLAGS) $(filter %.c,$^) -o $@ $(PKG_LIBS) -lm
fuzz: $(FUZZ_TARGETS:%=build/fuzz/%)
	@mkdir -p build/fuzz/crashes
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t; \
	  case $$t in fuzz_set) seeds=fuzz/seeds/set;; fuzz_olog) seeds=fuzz/seeds/olog;; fuzz_sim) seeds=tests/fuzz_regressions/sim;; fuzz_process) seeds="scenarios/processes tests/bad_input";; *) seeds="scenarios scenarios/bench tests/bad_input";; esac; \
	  echo "== $$t for $(FUZZ_SECONDS) s"; \
	  build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/crashes/$$t- build/fuzz/corpus/$$t $$seeds || exit 1; \
	done

# make install PREFIX=/usr/local [DESTDIR=...]: the binary, the man page and bash completion.
PREFIX  ?= /usr/local
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ordersim
	install -m 644 docs/ordersim.1 $(DESTDIR)$(PREFIX)/share/man/man1/ordersim.1
	install -m 644 tools/completion/ordersim.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ordersim

clean:
	rm -rf build out

-include $(wildcard $(BUILD)/*/*.d)
