# Makes a failure report comparable across builds: virtual times, trace hashes and the
# program's path become placeholders; the events, names, fds, paths and results stay.
s/[0-9][0-9]*\.[0-9][0-9]* ms/T ms/g
s/hash [0-9a-f]\{16\}/hash H/g
s|[^ (]*/readable_failure|PROGRAM|g
