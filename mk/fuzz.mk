# fuzz.mk: libFuzzer harnesses (tests/fuzz/fuzz_*.c) for the parsers that
# take untrusted input: the policy parser and its layering, sbx-exec's
# command line, sbx-shim's options, the ELF readers, the preload
# library's config parser and --redact's filters. Built with clang under
# ASan and UBSan into build-fuzz/; `make fuzz` runs each for FUZZ_TIME
# seconds from its seed corpus (tests/fuzz/corpus/NAME, copied: the tree is
# never written), and a crash leaves its input in build-fuzz/fuzz/ with
# the harness's report.
#
#   make fuzz                  every harness, FUZZ_TIME (60) seconds each
#   make fuzz FUZZ_TIME=10     briefly (CI)
#   make fuzz FUZZ=policy      one harness

FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ      ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_BINS  = $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ))
# sbx-exec's objects but its main(); the preload library's parser and
# sbx-preload-exec's ELF check, as the library and the tool build them
FUZZ_OBJS  = $(filter-out $(B)/obj/launcher/main.o,$(EXEC_OBJS)) \
	     $(B)/obj/preload/config.o $(B)/obj/preload/tool/loadcheck.o

.PHONY: fuzz fuzz-build fuzz-bins
fuzz: fuzz-build
	@tests/fuzz/run.sh build-fuzz/fuzz $(FUZZ_TIME) $(FUZZ)

fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) OPTFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" EXTRA_LDFLAGS="$(FUZZ_SAN)" \
	  SHIM_STATIC= EXEC_STATIC= STATIC_DEPS="-lseccomp -lcap-ng" FUZZ="$(FUZZ)" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libsbx.a $(SHIM_OBJS) $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Ilauncher -Ipreload -Itests/fuzz -fsanitize=fuzzer -o $@ $< \
	  $(FUZZ_OBJS) $(SHIM_OBJS) $(B)/libsbx.a $(LDFLAGS_ALL) -fsanitize=fuzzer -lseccomp -lcap-ng -lm
