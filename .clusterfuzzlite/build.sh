#!/bin/bash -eu
# ClusterFuzzLite entry point: the project's own OSS-Fuzz-style script does the work.
cd "$SRC/ringer"
exec fuzz/build.sh
