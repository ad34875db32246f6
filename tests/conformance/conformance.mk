# make conformance: liburing's own test suite on the real kernel and on the simulated one,
# side by side (tests/conformance/run.sh; LIBURING_TEST_DIR points at the suite).
.PHONY: conformance
conformance:
	@tests/conformance/run.sh $(if $(filter default,$(V)),gcc,$(V))
