/* pyjson.h - print a cJSON tree exactly as Python's json.dumps(obj, indent=2) would */
#ifndef VOX_CLI_PYJSON_H
#define VOX_CLI_PYJSON_H

#include <cJSON.h>

#include "internal.h"

/* Appends the document to b (no trailing newline, as json.dump writes).
 * Floats made by pyjson_float print as Python floats (3.0); other numbers
 * print as integers when they are whole, as Python floats otherwise. */
void pyjson_print(vox_buf *b, const cJSON *item);
cJSON *pyjson_int(long long v);   /* an integer JSON number */
cJSON *pyjson_float(double v);    /* a float JSON number (3 -> 3.0): a raw node, see pyjson.c */
cJSON *pyjson_str_or_null(const char *s);
/* cJSON_Compare that also compares a pyjson float with a number read back
 * from a file by value (3.0 equals 3). */
int pyjson_equal(const cJSON *a, const cJSON *b);
/* The item as one line of JSON for a message (free() it; NULL when out of
 * memory): a pyjson float and the number read back from its file print the
 * same (2.5 and 2.5, 100.0 and 100), so a message never shows two spellings
 * of one value. */
char *pyjson_text(const cJSON *item);

#endif
