/* Minimal JSON DOM: see json.h. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    char *err;
    size_t errlen;
    int failed;
} parser;

static void fail(parser *ps, const char *msg) {
    if (!ps->failed) snprintf(ps->err, ps->errlen, "%s", msg);
    ps->failed = 1;
}

static void ws(parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

jv *j_new(enum jtype t) {
    jv *v = calloc(1, sizeof *v);
    if (!v) { perror("calloc"); exit(2); }
    v->t = t;
    return v;
}

static void grow(jv *v) {
    if (v->n < v->cap) return;
    v->cap = v->cap ? v->cap * 2 : 8;
    v->v = realloc(v->v, v->cap * sizeof *v->v);
    if (v->t == J_OBJ) v->k = realloc(v->k, v->cap * sizeof *v->k);
    if (!v->v || (v->t == J_OBJ && !v->k)) { perror("realloc"); exit(2); }
}

void j_push(jv *arr, jv *val) {
    grow(arr);
    arr->v[arr->n++] = val;
}

void j_set(jv *obj, const char *key, jv *val) {
    for (size_t i = 0; i < obj->n; i++) {
        if (strcmp(obj->k[i], key) == 0) {
            j_free(obj->v[i]);
            obj->v[i] = val;
            return;
        }
    }
    grow(obj);
    obj->k[obj->n] = strdup(key);
    obj->v[obj->n++] = val;
}

jv *j_get(const jv *obj, const char *key) {
    if (!obj || obj->t != J_OBJ) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->k[i], key) == 0) return obj->v[i];
    return NULL;
}

jv *j_str(const char *s) {
    jv *v = j_new(J_STR);
    v->s = strdup(s);
    return v;
}

jv *j_int(long long x) {
    char b[32];
    snprintf(b, sizeof b, "%lld", x);
    jv *v = j_new(J_NUM);
    v->s = strdup(b);
    return v;
}

static void put_utf8(char **o, unsigned cp) {
    char *d = *o;
    if (cp < 0x80) *d++ = (char)cp;
    else if (cp < 0x800) { *d++ = (char)(0xc0 | cp >> 6); *d++ = (char)(0x80 | (cp & 0x3f)); }
    else if (cp < 0x10000) {
        *d++ = (char)(0xe0 | cp >> 12); *d++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *d++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *d++ = (char)(0xf0 | cp >> 18); *d++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *d++ = (char)(0x80 | (cp & 0x3f));
    }
    *o = d;
}

static int hex4(const char *p, unsigned *out) {
    unsigned x = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        x <<= 4;
        if (c >= '0' && c <= '9') x |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') x |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') x |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = x;
    return 0;
}

static char *parse_string(parser *ps) {
    /* at opening quote */
    ps->p++;
    const char *start = ps->p;
    size_t maxlen = 0;
    while (*ps->p && *ps->p != '"') {
        if (*ps->p == '\\' && ps->p[1]) ps->p++;
        ps->p++;
    }
    if (*ps->p != '"') { fail(ps, "unterminated string"); return NULL; }
    maxlen = (size_t)(ps->p - start);
    char *out = malloc(maxlen * 2 + 8), *o = out;
    for (const char *q = start; q < ps->p; q++) {
        if (*q != '\\') { *o++ = *q; continue; }
        q++;
        switch (*q) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '/': *o++ = '/'; break;
            case 'b': *o++ = '\b'; break;
            case 'f': *o++ = '\f'; break;
            case 'n': *o++ = '\n'; break;
            case 'r': *o++ = '\r'; break;
            case 't': *o++ = '\t'; break;
            case 'u': {
                unsigned cp;
                if (q + 4 >= ps->p + 1 || hex4(q + 1, &cp)) { fail(ps, "bad \\u escape"); free(out); return NULL; }
                q += 4;
                if (cp >= 0xd800 && cp < 0xdc00 && q[1] == '\\' && q[2] == 'u') {
                    unsigned lo;
                    if (!hex4(q + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        q += 6;
                    }
                }
                put_utf8(&o, cp);
                break;
            }
            default: fail(ps, "bad escape"); free(out); return NULL;
        }
    }
    *o = 0;
    ps->p++;
    return out;
}

static jv *parse_value(parser *ps, int depth) {
    if (depth > 64) { fail(ps, "nesting too deep"); return NULL; }
    ws(ps);
    char c = *ps->p;
    if (c == '{') {
        jv *o = j_new(J_OBJ);
        ps->p++;
        ws(ps);
        if (*ps->p == '}') { ps->p++; return o; }
        for (;;) {
            ws(ps);
            if (*ps->p != '"') { fail(ps, "expected object key"); j_free(o); return NULL; }
            char *key = parse_string(ps);
            if (!key) { j_free(o); return NULL; }
            ws(ps);
            if (*ps->p != ':') { fail(ps, "expected ':'"); free(key); j_free(o); return NULL; }
            ps->p++;
            jv *val = parse_value(ps, depth + 1);
            if (!val) { free(key); j_free(o); return NULL; }
            grow(o);
            o->k[o->n] = key;
            o->v[o->n++] = val;
            ws(ps);
            if (*ps->p == ',') { ps->p++; continue; }
            if (*ps->p == '}') { ps->p++; return o; }
            fail(ps, "expected ',' or '}'");
            j_free(o);
            return NULL;
        }
    }
    if (c == '[') {
        jv *a = j_new(J_ARR);
        ps->p++;
        ws(ps);
        if (*ps->p == ']') { ps->p++; return a; }
        for (;;) {
            jv *val = parse_value(ps, depth + 1);
            if (!val) { j_free(a); return NULL; }
            j_push(a, val);
            ws(ps);
            if (*ps->p == ',') { ps->p++; continue; }
            if (*ps->p == ']') { ps->p++; return a; }
            fail(ps, "expected ',' or ']'");
            j_free(a);
            return NULL;
        }
    }
    if (c == '"') {
        char *s = parse_string(ps);
        if (!s) return NULL;
        jv *v = j_new(J_STR);
        v->s = s;
        return v;
    }
    if (!strncmp(ps->p, "true", 4)) { ps->p += 4; return j_new(J_TRUE); }
    if (!strncmp(ps->p, "false", 5)) { ps->p += 5; return j_new(J_FALSE); }
    if (!strncmp(ps->p, "null", 4)) { ps->p += 4; return j_new(J_NULL); }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *st = ps->p;
        ps->p++;
        while ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.' || *ps->p == 'e' || *ps->p == 'E' ||
               *ps->p == '+' || *ps->p == '-')
            ps->p++;
        jv *v = j_new(J_NUM);
        v->s = strndup(st, (size_t)(ps->p - st));
        return v;
    }
    fail(ps, "unexpected character");
    return NULL;
}

jv *j_parse(const char *text, char *err, size_t errlen) {
    parser ps = {text, err, errlen, 0};
    jv *v = parse_value(&ps, 0);
    if (!v) return NULL;
    ws(&ps);
    if (*ps.p) { j_free(v); snprintf(err, errlen, "trailing characters"); return NULL; }
    return v;
}

void j_free(jv *v) {
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) {
        j_free(v->v[i]);
        if (v->k) free(v->k[i]);
    }
    free(v->v);
    free(v->k);
    free(v->s);
    free(v);
}

typedef struct { char *b; size_t n, cap; } sbuf;

static void sb_put(sbuf *sb, const char *s, size_t n) {
    if (sb->n + n + 1 > sb->cap) {
        while (sb->n + n + 1 > sb->cap) sb->cap = sb->cap ? sb->cap * 2 : 4096;
        sb->b = realloc(sb->b, sb->cap);
        if (!sb->b) { perror("realloc"); exit(2); }
    }
    memcpy(sb->b + sb->n, s, n);
    sb->n += n;
    sb->b[sb->n] = 0;
}

static void sb_str(sbuf *sb, const char *s) { sb_put(sb, s, strlen(s)); }

static void dump_string(sbuf *sb, const char *s) {
    sb_put(sb, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
            case '"': sb_str(sb, "\\\""); break;
            case '\\': sb_str(sb, "\\\\"); break;
            case '\n': sb_str(sb, "\\n"); break;
            case '\r': sb_str(sb, "\\r"); break;
            case '\t': sb_str(sb, "\\t"); break;
            default:
                if (*p < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", *p); sb_str(sb, esc); }
                else sb_put(sb, (const char *)p, 1);
        }
    }
    sb_put(sb, "\"", 1);
}

static void dump(sbuf *sb, const jv *v) {
    switch (v->t) {
        case J_NULL: sb_str(sb, "null"); break;
        case J_TRUE: sb_str(sb, "true"); break;
        case J_FALSE: sb_str(sb, "false"); break;
        case J_NUM: sb_str(sb, v->s); break;
        case J_STR: dump_string(sb, v->s); break;
        case J_ARR:
            sb_put(sb, "[", 1);
            for (size_t i = 0; i < v->n; i++) {
                if (i) sb_put(sb, ", ", 2);
                dump(sb, v->v[i]);
            }
            sb_put(sb, "]", 1);
            break;
        case J_OBJ:
            sb_put(sb, "{", 1);
            for (size_t i = 0; i < v->n; i++) {
                if (i) sb_put(sb, ", ", 2);
                dump_string(sb, v->k[i]);
                sb_put(sb, ": ", 2);
                dump(sb, v->v[i]);
            }
            sb_put(sb, "}", 1);
            break;
    }
}

char *j_dump(const jv *v) {
    sbuf sb = {0};
    dump(&sb, v);
    return sb.b;
}
