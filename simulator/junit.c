/* JUnit XML (stdio only). */
#include "junit.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static FILE *cases; /* the <testcase> elements so far */
static uint64_t tests, failures;
static uint64_t total_ns;

bool junit_begin(void) {
    assert(cases == NULL);
    cases = tmpfile();
    tests = failures = total_ns = 0;
    return cases != NULL;
}

/* Text and attribute values: XML's five characters escaped, other control bytes dropped. */
static void put_xml(FILE *out, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            if (*p >= 0x20 || *p == '\n' || *p == '\t') fputc(*p, out);
        }
    }
}

static void put_seconds(FILE *out, uint64_t ns) {
    fprintf(out, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u, ns / 1000u % 1000000u);
}

void junit_case(const struct seed_result *result, const char *suite, const char *replay) {
    assert(cases != NULL && result != NULL && suite != NULL && replay != NULL);
    tests += 1;
    total_ns += result->real_ns;
    fprintf(cases, "    <testcase classname=\"");
    put_xml(cases, suite);
    fprintf(cases, "\" name=\"seed %" PRIu64 "\" time=\"", result->seed);
    put_seconds(cases, result->real_ns);
    if (!result->failed) {
        fputs("\"/>\n", cases);
        return;
    }
    failures += 1;
    fputs("\">\n      <failure message=\"", cases);
    put_xml(cases, result->message);
    fputs("\" type=\"failed seed\">", cases);
    put_xml(cases, result->message);
    fputs("\n", cases);
    put_xml(cases, result->events);
    fputs("reproduce: ", cases);
    put_xml(cases, replay);
    fputs("</failure>\n    </testcase>\n", cases);
}

bool junit_end(const char *path, const char *suite, uint64_t not_run) {
    assert(cases != NULL && path != NULL);
    FILE *out = fopen(path, "w");
    bool ok = out != NULL;
    if (ok) {
        fprintf(out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
        put_xml(out, suite);
        fprintf(out, "\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64 "\" errors=\"0\" time=\"",
                tests, failures);
        put_seconds(out, total_ns);
        fputs("\">\n", out);
        if (not_run > 0)
            fprintf(out,
                    "    <properties><property name=\"seeds not run\" value=\"%" PRIu64
                    "\"/></properties>\n",
                    not_run);
        rewind(cases);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), cases)) > 0)
            ok = fwrite(chunk, 1, n, out) == n && ok;
        fputs("  </testsuite>\n</testsuites>\n", out);
        ok = ferror(out) == 0 && ok;
        ok = fclose(out) == 0 && ok;
    }
    fclose(cases);
    cases = NULL;
    return ok;
}
