/* pyjson.c - Python json.dumps(indent=2) output for cJSON trees (run summaries)
 *
 * cJSON does not remember whether a number was an int or a float, and its
 * printer uses %1.15g; Python writes 3.0 for a float and 3 for an int.  A
 * float is therefore made a raw node (cJSON_CreateRaw, public API) holding
 * Python's repr of the value, which both our printer and cJSON's print
 * verbatim; an integer is an ordinary number.  Nothing depends on cJSON's
 * private type bits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pyjson.h"

cJSON *pyjson_int(long long v) { return cJSON_CreateNumber((double)v); }

cJSON *pyjson_float(double v)
{
    char num[64];
    vox_fmt_repr(v, num);
    return cJSON_CreateRaw(num);
}

cJSON *pyjson_str_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

/* The number a node stands for: an ordinary number, or a float made by
 * pyjson_float; 0 when it is neither. */
static int number_of(const cJSON *it, double *v)
{
    if (cJSON_IsNumber(it)) {
        *v = it->valuedouble;
        return 1;
    }
    if (cJSON_IsRaw(it) && it->valuestring) {
        char *end;
        *v = strtod(it->valuestring, &end);
        return end != it->valuestring && *end == '\0';
    }
    return 0;
}

int pyjson_equal(const cJSON *a, const cJSON *b)
{
    double x, y;
    if (number_of(a, &x) && number_of(b, &y))
        return x == y;
    return cJSON_Compare(a, b, 1);
}

char *pyjson_text(const cJSON *item)
{
    double v;
    if (!number_of(item, &v))
        return cJSON_PrintUnformatted(item);
    cJSON *n = cJSON_CreateNumber(v);
    char *text = n ? cJSON_PrintUnformatted(n) : NULL;
    cJSON_Delete(n);
    return text;
}

static void indent(vox_buf *b, int level)
{
    vox_buf_putc(b, '\n');
    for (int i = 0; i < level; i++)
        vox_buf_puts(b, "  ");
}

static void print_rec(vox_buf *b, const cJSON *it, int level)
{
    char num[64];
    if (cJSON_IsNull(it)) {
        vox_buf_puts(b, "null");
    } else if (cJSON_IsFalse(it)) {
        vox_buf_puts(b, "false");
    } else if (cJSON_IsTrue(it)) {
        vox_buf_puts(b, "true");
    } else if (cJSON_IsRaw(it)) {
        vox_buf_puts(b, it->valuestring ? it->valuestring : "null");
    } else if (cJSON_IsNumber(it)) {
        /* an integer; a fraction only comes from a file read back (vox
         * merge-summaries): it was a float there, so it stays one */
        if (it->valuedouble == floor(it->valuedouble) && fabs(it->valuedouble) < 1e17) {
            vox_buf_printf(b, "%.0f", it->valuedouble);
        } else {
            vox_fmt_repr(it->valuedouble, num);
            vox_buf_puts(b, num);
        }
    } else if (cJSON_IsString(it)) {
        vox_json_string(b, it->valuestring ? it->valuestring : "");
    } else if (cJSON_IsArray(it) || cJSON_IsObject(it)) {
        int obj = cJSON_IsObject(it);
        const cJSON *c = it->child;
        if (!c) {
            vox_buf_puts(b, obj ? "{}" : "[]");
            return;
        }
        vox_buf_putc(b, obj ? '{' : '[');
        for (; c; c = c->next) {
            indent(b, level + 1);
            if (obj) {
                vox_json_string(b, c->string ? c->string : "");
                vox_buf_puts(b, ": ");
            }
            print_rec(b, c, level + 1);
            if (c->next)
                vox_buf_putc(b, ',');
        }
        indent(b, level);
        vox_buf_putc(b, obj ? '}' : ']');
    } else {
        vox_buf_puts(b, "null");
    }
}

void pyjson_print(vox_buf *b, const cJSON *item) { print_rec(b, item, 0); }
