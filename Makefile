# Makefile - shmsync: build, demo, test, install.
#
#   make          build ./shmsync
#   make demo     the headline comparison: racing and guarded counters,
#                 threads and processes side by side
#   make demo-all every demo with its defaults, one summary table
#   make check    the Check suite (unit and end-to-end)
#   make mpi      also ./shmsync-mpi, the ranks' program behind -m mpi
#                 (Open MPI: installed with apt-get as root, as below)
#   make asan     the suite again under AddressSanitizer + UBSan
#   make tsan     thread-mode runs under ThreadSanitizer: guarded demos
#                 clean, the deliberate race reported (exit 66)
#   make valgrind a few runs, clean and faulty, both modes, under memcheck
#   make bench    run `shmsync bench` once and regenerate BENCHMARKS.md
#                 (BENCH_FLAGS adds bench options; plots need gnuplot)
#   make lint     cppcheck and mandoc -Tlint
#   make install  the binary, shmsync(1) and the bash completion;
#                 PREFIX (/usr/local) and DESTDIR honoured
#
# Dependencies are found with pkg-config; when missing, they are installed with
# apt-get if we are root, else make stops with the exact command to run.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man/man1
COMPDIR	 = $(PREFIX)/share/bash-completion/completions
BUILD	?= build
CFLAGS	?= -O2 -g

APT_PKGS := libbsd-dev check pkg-config
PC_PKGS	 := libbsd-overlay check

MPI_APT	 := openmpi-bin libopenmpi-dev

# Find or install the dependencies, unless only cleaning.
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell pkg-config --exists $(PC_PKGS) 2>/dev/null && echo ok),ok)
ifeq ($(shell id -u),0)
$(info shmsync: installing build dependencies: apt-get install -y $(APT_PKGS))
DEPS_RC := $(shell { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq $(APT_PKGS); } >&2; echo $$?)
ifneq ($(DEPS_RC)$(shell pkg-config --exists $(PC_PKGS) && echo ok),0ok)
$(error installing failed; run: apt-get update && apt-get install -y $(APT_PKGS))
endif
else
$(error missing build dependencies; run: sudo apt-get install -y $(APT_PKGS))
endif
endif
endif

SHM_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wmissing-prototypes \
	-MMD -MP $(if $(WERROR),-Werror)
BSD_CFLAGS := $(shell pkg-config --cflags libbsd-overlay 2>/dev/null)
BSD_LIBS   := $(shell pkg-config --libs libbsd-overlay 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)
ALL_CFLAGS  = $(SHM_CFLAGS) $(BSD_CFLAGS) $(SAN) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

# MPI code (workers/mpi_*.c, launcher/mpi_*.c) goes into shmsync-mpi only.
MPI_SRC	:= $(wildcard workers/mpi_*.c launcher/mpi_*.c)
LIB_SRC	:= $(filter-out $(MPI_SRC),$(wildcard ipc/*.c workers/*.c) \
	$(filter-out launcher/main.c,$(wildcard launcher/*.c launcher/bench/*.c)))
MAIN_SRC := launcher/main.c
TEST_SRC := $(wildcard tests/*.c tests/ipc/*.c tests/workers/*.c tests/launcher/*.c tests/cli/*.c)
LIB_OBJ	:= $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
MPI_OBJ	:= $(MPI_SRC:%.c=$(BUILD)/%.o)
PROG	:= $(if $(filter build,$(BUILD)),shmsync,$(BUILD)/shmsync)
TESTS	:= $(BUILD)/check_shmsync
MPI_PROG := $(if $(filter build,$(BUILD)),shmsync-mpi,$(BUILD)/shmsync-mpi)

.PHONY: all mpi mpi-deps demo demo-all check asan tsan valgrind bench lint install uninstall clean

all: $(PROG)

$(PROG): $(LIB_OBJ) $(MAIN_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(BSD_LIBS) -pthread

$(TESTS): $(LIB_OBJ) $(TEST_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(BSD_LIBS) -pthread

# make mpi: Open MPI found by pkg-config (ompi-c), or installed as root.
mpi: mpi-deps
	@$(MAKE) --no-print-directory $(PROG) $(MPI_PROG) MPI_CFLAGS="$$(pkg-config \
		--cflags ompi-c)" MPI_LIBS="$$(pkg-config --libs ompi-c)"

mpi-deps:
	@pkg-config --exists ompi-c 2>/dev/null || { \
	if [ "$$(id -u)" = 0 ]; then \
		echo "shmsync: installing Open MPI: apt-get install -y" \
			"--no-install-recommends $(MPI_APT)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get \
			install -y -qq --no-install-recommends $(MPI_APT); } >&2 && \
		pkg-config --exists ompi-c || { echo "installing failed; run:" \
			"apt-get update && apt-get install -y" \
			"--no-install-recommends $(MPI_APT)" >&2; exit 1; }; \
	else \
		echo "make mpi: Open MPI is missing; run: sudo apt-get install -y" \
			"--no-install-recommends $(MPI_APT)" >&2; exit 1; \
	fi; }

$(MPI_PROG): $(LIB_OBJ) $(MPI_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MPI_LIBS) $(BSD_LIBS) -pthread

$(MPI_OBJ): $(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(MPI_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

demo: $(PROG)
	./$(PROG) counter --workers 4 --iterations 200000 --mode both --sync all

demo-all: $(PROG)
	./$(PROG) all

check: $(PROG) $(TESTS)
	sh tests/layers.sh $(BUILD)
	SHMSYNC=$(abspath $(PROG)) $(TESTS)

bench: $(PROG)
	sh launcher/bench/run.sh ./$(PROG) $(BENCH_FLAGS)

asan:
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
		$(MAKE) BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" check

# TSan cannot follow forked workers: only the tsan suite (thread mode) runs.
tsan:
	$(MAKE) BUILD=build-tsan SAN="-fsanitize=thread -fno-omit-frame-pointer" \
		TSAN_OPTIONS="exitcode=66 halt_on_error=0" SHMSYNC_TSAN=1 \
		CK_RUN_SUITE=cli_tsan check

VG	:= valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
VG_RUNS	:= "counter -w 2 -n 2000 --sync all" "queue -p 2 -c 2 -n 2000" \
	   "barrier -w 3 -r 100 -b cond" "barrier -w 3 -r 100 -b pthread"

# Each run exits 0; a killed worker's run exits 1 (99 would be a memcheck error).
valgrind: $(PROG)
	@for a in $(VG_RUNS); do echo "valgrind: $$a"; \
		$(VG) ./$(PROG) $$a --mode both -f csv >/dev/null || exit 1; done
	@echo "valgrind: counter --inject kill@1:500 (exit 1 expected)"; \
	$(VG) ./$(PROG) counter -w 3 -n 2000 --sync mutex --mode both -f csv \
		--inject kill@1:500 >/dev/null 2>&1; test $$? -eq 1

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 -D_GNU_SOURCE --suppress=missingIncludeSystem ipc workers launcher tests
	if command -v mandoc >/dev/null; then mandoc -Tlint -Wwarning shmsync.1; \
	else echo "lint: mandoc not installed (apt-get install mandoc): man page not linted"; fi

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/shmsync
	install -m 644 shmsync.1 $(DESTDIR)$(MANDIR)/shmsync.1
	./$(PROG) completion bash > $(BUILD)/shmsync.bash
	install -m 644 $(BUILD)/shmsync.bash $(DESTDIR)$(COMPDIR)/shmsync

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/shmsync $(DESTDIR)$(MANDIR)/shmsync.1 \
		$(DESTDIR)$(COMPDIR)/shmsync

clean:
	rm -rf build build-asan build-tsan shmsync shmsync-mpi

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MPI_OBJ:.o=.d)
