# SPDX-License-Identifier: GPL-3.0-or-later
# Like Samba's Makefile: a thin wrapper around waf.
#
#   make            bootstrap if needed, configure if needed, build
#   make test       everything: unit tests (plain and ASan/UBSan), fuzz
#                   smoke runs, integration tests in a throw-away domain
#   make demo       the main job: a credential roaming between two members
#   make install    DESTDIR=... prefix=...  (make uninstall: the same)
#   make test-debian  build the .debs, install, purge, reinstall them
#   make test-fresh   the README's two commands on a debootstrapped Debian 12
#
WAF = ./.bootstrap/waf/waf
PYTHON = /usr/bin/python3
prefix ?= /usr/local

all: build

.bootstrap/waf/waf:
	buildtools/bootstrap.sh

bin/c4che/_cache.py: .bootstrap/waf/waf wscript
	./configure --prefix=$(prefix) $(CONFIGURE_FLAGS)

configure-if-needed: bin/c4che/_cache.py

build: configure-if-needed
	$(WAF) build

build-asan: configure-if-needed
	$(WAF) build_asan

build-fuzz: configure-if-needed
	$(WAF) build_fuzz

bootstrap:
	buildtools/bootstrap.sh

# The README's test command.  Always runs the bootstrap (instant when there
# is nothing to do) so a fresh machine needs nothing else.
test:
	@buildtools/preflight.sh test
	buildtools/bootstrap.sh
	testprogs/run-all.sh

test-unit: build build-asan
	testprogs/run-unit.sh

test-integration: build
	testprogs/run-integration.sh

fuzz-smoke: build-fuzz
	fuzz/run-fuzz.sh smoke

fuzz-long: build-fuzz
	fuzz/run-fuzz.sh long

test-valgrind: build
	testprogs/run-valgrind.sh

bench: build
	bench/run-bench.sh

demo:
	testprogs/demo.sh

# `make install prefix=/usr` reconfigures when the tree was configured with
# another prefix (waf takes the prefix from configure, not from install).
reconfigure-for-prefix: configure-if-needed
ifneq ($(filter command line environment,$(origin prefix)),)
	@configured=$$(sed -n "s/^PREFIX = '\(.*\)'$$/\1/p" bin/c4che/_cache.py); \
	if [ "$$configured" != "$(prefix)" ]; then \
		echo "reconfiguring: prefix $$configured -> $(prefix)"; \
		./configure --prefix=$(prefix) $(CONFIGURE_FLAGS); \
	fi
endif

install: reconfigure-for-prefix
	$(WAF) build
	$(WAF) install --destdir=$(DESTDIR)

uninstall: reconfigure-for-prefix
	$(WAF) uninstall --destdir=$(DESTDIR)

# The installed tree against README.md's "Installed files" table, then an
# uninstall that must leave only directories.
test-install: build
	testprogs/test_install.sh

# Every man page renders with man -l without a warning.
test-manpages: build
	testprogs/test_manpages.sh

# dpkg-buildpackage, then install, purge and reinstall the .debs on this
# machine (root; a few minutes).
test-debian: bootstrap
	testprogs/test_debian.sh

# debootstrap a minimal Debian 12, clone this repository into its /root,
# enter it (pivot_root) and run `make demo` and `make test` there.
# Downloads; not part of `make test`.
test-fresh:
	testprogs/test_fresh.sh

clean:
	-$(WAF) clean
	-$(WAF) clean_asan
	-$(WAF) clean_fuzz

distclean:
	rm -rf bin .lock-waf_* selftest/cache

.PHONY: all build build-asan build-fuzz bootstrap test test-unit \
	test-integration fuzz-smoke fuzz-long test-valgrind bench demo \
	install uninstall clean distclean configure-if-needed \
	reconfigure-for-prefix test-install test-manpages test-debian \
	test-fresh
