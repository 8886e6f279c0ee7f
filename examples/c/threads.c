/* Scores the same dataset from 4 threads at once with one shared plan handle, and checks
 * that every thread gets the same outcome, byte for byte.
 *
 *   threads [PACK_DIR [DATA_FILE]] */
#include "scorecard.h"
#include "read_file.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 5

struct job {
    const ScPlan *plan;
    const char *data;
    char *outcome; /* the last outcome this thread produced */
    int failures;
};

static void *work(void *arg) {
    struct job *j = arg;
    for (int r = 0; r < ROUNDS; r++) {
        char *out = NULL, *err = NULL;
        if (sc_plan_score(j->plan, j->data, &out, &err) != SC_OK) {
            fprintf(stderr, "thread failed: %s\n", err);
            sc_string_free(err);
            j->failures++;
            continue;
        }
        sc_string_free(j->outcome);
        j->outcome = out;
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *pack = argc > 1 ? argv[1] : "rules/supervision-coverage";
    const char *data_path = argc > 2 ? argv[2] : "rules/supervision-coverage/data/sample.json";
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
    pthread_t tid[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){plan, data, NULL, 0};
        if (pthread_create(&tid[i], NULL, work, &jobs[i]) != 0) {
            fprintf(stderr, "cannot start a thread\n");
            return 1;
        }
    }
    int bad = 0;
    for (int i = 0; i < THREADS; i++) pthread_join(tid[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        bad += jobs[i].failures;
        if (!jobs[i].outcome || strcmp(jobs[i].outcome, jobs[0].outcome) != 0) bad++;
    }
    char *grade = NULL;
    if (!bad && sc_json_get(jobs[0].outcome, "/scorecard/grade", &grade, &err) == SC_OK) {
        printf("%d threads x %d rounds, identical outcomes, grade %s\n", THREADS, ROUNDS, grade);
    } else {
        fprintf(stderr, "threads disagreed or failed (%d)\n", bad);
        bad++;
    }
    sc_string_free(grade);
    for (int i = 0; i < THREADS; i++) sc_string_free(jobs[i].outcome);
    free(data);
    sc_plan_free(plan);
    return bad ? 1 : 0;
}
