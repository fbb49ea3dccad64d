/* pyjson.c - Python json.dumps(indent=2) output for cJSON trees (run summaries)
 *
 * cJSON does not remember whether a number was an int or a float, and its
 * printer uses %1.15g; Python writes 3.0 for a float and 3 for an int.  We
 * mark floats with a type bit above cJSON's own flags (cJSON only tests
 * the low byte, IsReference and StringIsConst). */
#include <stdlib.h>
#include <string.h>

#include "pyjson.h"

#define PYJSON_FLOAT 0x4000

cJSON *pyjson_int(long long v) { return cJSON_CreateNumber((double)v); }

cJSON *pyjson_float(double v)
{
    cJSON *n = cJSON_CreateNumber(v);
    if (n)
        n->type |= PYJSON_FLOAT;
    return n;
}

cJSON *pyjson_str_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static void indent(vox_buf *b, int level)
{
    vox_buf_putc(b, '\n');
    for (int i = 0; i < level; i++)
        vox_buf_puts(b, "  ");
}

static void print_rec(vox_buf *b, const cJSON *it, int level)
{
    char num[64];
    switch (it->type & 0xFF) {
    case cJSON_NULL: vox_buf_puts(b, "null"); break;
    case cJSON_False: vox_buf_puts(b, "false"); break;
    case cJSON_True: vox_buf_puts(b, "true"); break;
    case cJSON_Number:
        if (it->type & PYJSON_FLOAT) {
            vox_fmt_repr(it->valuedouble, num);
            vox_buf_puts(b, num);
        } else {
            vox_buf_printf(b, "%.0f", it->valuedouble);
        }
        break;
    case cJSON_String: vox_json_string(b, it->valuestring ? it->valuestring : ""); break;
    case cJSON_Array:
    case cJSON_Object: {
        int obj = (it->type & 0xFF) == cJSON_Object;
        const cJSON *c = it->child;
        if (!c) {
            vox_buf_puts(b, obj ? "{}" : "[]");
            break;
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
        break;
    }
    default: vox_buf_puts(b, "null");
    }
}

void pyjson_print(vox_buf *b, const cJSON *item) { print_rec(b, item, 0); }
