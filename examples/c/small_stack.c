/* Loads, checks and scores on a thread with a 1 MB stack (a JVM thread's default, and
 * less than many C hosts give): the deepest pack the limits allow, imports that go round
 * in a cycle, an operator chain past the height limit, and the sample county. Nothing
 * may crash; each answer must be the expected one.
 *
 *   small_stack            (run from the repository root) */
#include "scorecard.h"
#include "read_file.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK (1024 * 1024)

/* Fails (counts in *bad) unless `text` contains `needle`. */
static void expect(int *bad, const char *what, const char *text, const char *needle) {
    if (!text || !strstr(text, needle)) {
        fprintf(stderr, "%s: expected \"%s\" in: %s\n", what, needle, text ? text : "(nothing)");
        (*bad)++;
    }
}

/* Loads `pack` and scores `data_path`; the value at `pointer` must be `want`. */
static void score(int *bad, const char *pack, const char *data_path, const char *pointer,
                  const char *want) {
    ScPlan *plan = NULL;
    char *err = NULL, *out = NULL, *value = NULL;
    char *data = read_file(data_path);
    if (!data) {
        fprintf(stderr, "cannot read %s\n", data_path);
        (*bad)++;
        return;
    }
    if (sc_plan_load_dir(pack, &plan, &err) != SC_OK) {
        fprintf(stderr, "cannot load %s: %s\n", pack, err);
        (*bad)++;
    } else if (sc_plan_score(plan, data, &out, &err) != SC_OK) {
        fprintf(stderr, "cannot score %s: %s\n", pack, err);
        (*bad)++;
    } else if (sc_json_get(out, pointer, &value, &err) != SC_OK || strcmp(value, want) != 0) {
        fprintf(stderr, "%s %s: expected %s, got %s\n", pack, pointer, want, value ? value : err);
        (*bad)++;
    }
    sc_string_free(value);
    sc_string_free(out);
    sc_string_free(err);
    sc_plan_free(plan);
    free(data);
}

static void *work(void *arg) {
    int *bad = arg;
    ScPlan *plan = NULL;
    char *err = NULL, *diags = NULL;

    /* the tallest expression (256 terms) and a script recursing 120 calls deep */
    score(bad, "tests/packs/deep-expression", "tests/packs/deep-expression/data/sample.json",
          "/indicators/total_recursed/value/exact", "1230");
    score(bad, "tests/packs/deep-expression", "tests/packs/deep-expression/data/sample.json",
          "/indicators/total_tall/value/exact", "896");
    /* the sample county */
    score(bad, "rules/supervision-coverage", "rules/supervision-coverage/data/sample.json",
          "/pack/name", "supervision-coverage");

    /* imports in a cycle: an error naming the chain, once */
    if (sc_plan_load_dir("tests/broken-packs/cycle-a", &plan, &err) != SC_PACK_ERROR) {
        fprintf(stderr, "a cycle of imports loaded\n");
        (*bad)++;
    }
    expect(bad, "cycle", err, "imports form a cycle: cycle-a → cycle-b → cycle-a");
    sc_string_free(err);
    err = NULL;
    sc_plan_free(plan);
    plan = NULL;

    /* a chain of 2,000 terms: refused by check, with the limit named */
    if (sc_pack_check_dir("tests/broken-packs/long-chain", &diags, &err) != SC_PACK_ERROR) {
        fprintf(stderr, "a 2000-term chain was accepted: %s\n", err ? err : "");
        (*bad)++;
    }
    expect(bad, "long chain", diags, "2000 levels deep");
    expect(bad, "long chain", diags, "the limit is 256");
    sc_string_free(diags);
    sc_string_free(err);
    return NULL;
}

int main(void) {
    pthread_attr_t attr;
    pthread_t tid;
    int bad = 0;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, STACK) != 0 ||
        pthread_create(&tid, &attr, work, &bad) != 0) {
        fprintf(stderr, "cannot start a thread with a 1 MB stack\n");
        return 1;
    }
    pthread_join(tid, NULL);
    pthread_attr_destroy(&attr);
    if (bad) {
        fprintf(stderr, "%d check(s) failed\n", bad);
        return 1;
    }
    printf("on a 1 MB thread: the deepest pack scored, a cycle and a 2000-term chain refused\n");
    return 0;
}
