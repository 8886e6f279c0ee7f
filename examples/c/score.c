/* Loads a pack, scores a dataset and prints the grade.
 *
 *   score [PACK_DIR [DATA_FILE]]
 *
 * Defaults: the bundled rules/supervision-coverage pack and its sample data. */
#include "scorecard.h"
#include "read_file.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *pack = argc > 1 ? argv[1] : "rules/supervision-coverage";
    const char *data_path = argc > 2 ? argv[2] : "rules/supervision-coverage/data/sample.json";
    printf("scorecard %s\n", sc_version());

    ScPlan *plan = NULL;
    char *err = NULL;
    if (sc_plan_load_dir(pack, &plan, &err) != SC_OK) {
        fprintf(stderr, "cannot load %s: %s\n", pack, err);
        sc_string_free(err);
        return 1;
    }
    char *data = read_file(data_path);
    if (!data) {
        fprintf(stderr, "cannot read %s\n", data_path);
        sc_plan_free(plan);
        return 1;
    }
    char *outcome = NULL;
    ScStatus st = sc_plan_score(plan, data, &outcome, &err);
    free(data);
    if (st != SC_OK) {
        fprintf(stderr, "scoring failed (status %d): %s\n", (int)st, err);
        sc_string_free(err);
        sc_plan_free(plan);
        return 1;
    }
    char *total = NULL, *grade = NULL;
    if (sc_json_get(outcome, "/scorecard/total/display", &total, &err) != SC_OK ||
        sc_json_get(outcome, "/scorecard/grade", &grade, &err) != SC_OK) {
        fprintf(stderr, "no scorecard in the outcome: %s\n", err);
        sc_string_free(err);
        sc_string_free(total);
        sc_string_free(outcome);
        sc_plan_free(plan);
        return 1;
    }
    printf("total %s, grade %s\n", total, grade);

    /* errors are statuses with messages, never crashes */
    char *nothing = NULL;
    st = sc_plan_score(plan, "{\"units\": 42}", &nothing, &err);
    printf("bad data -> status %d: %s\n", (int)st, err);
    sc_string_free(err);
    st = sc_plan_score(NULL, NULL, &nothing, NULL);
    printf("NULL arguments -> status %d\n", (int)st);

    sc_string_free(total);
    sc_string_free(grade);
    sc_string_free(outcome);
    sc_plan_free(plan);
    return 0;
}
