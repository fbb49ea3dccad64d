/* pyjson.h - print a cJSON tree exactly as Python's json.dumps(obj, indent=2) would */
#ifndef VOX_CLI_PYJSON_H
#define VOX_CLI_PYJSON_H

#include <cJSON.h>

#include "internal.h"

/* Appends the document to b (no trailing newline, as json.dump writes).
 * Numbers marked as integers (cJSON_SetIntValue / whole values created by
 * pyjson_int) print without a fraction; others print as Python floats. */
void pyjson_print(vox_buf *b, const cJSON *item);
cJSON *pyjson_int(long long v);   /* an integer JSON number */
cJSON *pyjson_float(double v);    /* a float JSON number (3 -> 3.0) */
cJSON *pyjson_str_or_null(const char *s);

#endif
