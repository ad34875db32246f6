# Mutation testing of src/ (mutate/README.md). Included by the top Makefile.
#
#   make mutate                      every mutant of src/, every stage until the first kill
#   make mutate SAMPLE=N SEED=S      a seeded sample of N mutants
#   make mutate ALL_STAGES=K         the first K sampled mutants run every stage (credit)
#   make mutate MUTATE_JOBS=J        J workers, each with its own scratch copy of the tree
# The last line is `mutate: K/N non-equivalent mutants killed (E equivalent, S survived)`.

SAMPLE      ?= 0
SEED        ?= 1
ALL_STAGES  ?= 0
MUTATE_JOBS ?= 2

.PHONY: mutate mutate-list
mutate:
	python3 mutate/run.py --sample $(SAMPLE) --seed $(SEED) --all-stages $(ALL_STAGES) \
	    --jobs $(MUTATE_JOBS)

mutate-list:
	@python3 mutate/run.py --list
