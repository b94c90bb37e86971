/*
 * Minimal JSON DOM for the exit-case format: parse one line, edit, serialize.
 * Numbers are kept as their source text; object key order is preserved.
 */
#ifndef HVEX_ORACLE_JSON_H
#define HVEX_ORACLE_JSON_H

#include <stddef.h>

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jv {
    enum jtype t;
    char *s;            /* J_STR: decoded UTF-8; J_NUM: source text */
    size_t n, cap;      /* J_ARR / J_OBJ element count */
    struct jv **v;      /* elements / member values */
    char **k;           /* J_OBJ member keys */
} jv;

/* Parses text; on error returns NULL and writes a message into err. */
jv *j_parse(const char *text, char *err, size_t errlen);
void j_free(jv *v);

jv *j_new(enum jtype t);
jv *j_str(const char *s);
jv *j_int(long long x);
jv *j_get(const jv *obj, const char *key);       /* NULL when absent or not an object */
void j_set(jv *obj, const char *key, jv *val);     /* replaces in place or appends */
void j_push(jv *arr, jv *val);

/* Serialized text (malloc'd), python-json style separators ", " and ": ". */
char *j_dump(const jv *v);

#endif
