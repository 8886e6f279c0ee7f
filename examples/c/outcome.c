/* Loads a pack, scores a JSON dataset and prints the outcome document, as
 * `scorecard score --format json` does: the C ABI's part of the binding conformance run
 * (tools/conformance.py).
 *
 *   outcome PACK_DIR DATA_FILE
 *
 * Exit 0 with the outcome on standard output; 2 with the error on standard error. */
#include "scorecard.h"
#include "read_file.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: outcome PACK_DIR DATA_FILE\n");
        return 2;
    }
    ScPlan *plan = NULL;
    char *err = NULL;
    if (sc_plan_load_dir(argv[1], &plan, &err) != SC_OK) {
        fprintf(stderr, "%s\n", err);
        sc_string_free(err);
        return 2;
    }
    char *data = read_file(argv[2]);
    if (!data) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        sc_plan_free(plan);
        return 2;
    }
    char *outcome = NULL;
    ScStatus st = sc_plan_score(plan, data, &outcome, &err);
    free(data);
    int code = 0;
    if (st == SC_OK) {
        fputs(outcome, stdout);
        fputs("\n", stdout);
    } else {
        fprintf(stderr, "%s\n", err);
        code = 2;
    }
    sc_string_free(outcome);
    sc_string_free(err);
    sc_plan_free(plan);
    return code;
}
