/* json_fault.c - where and why a text is not one JSON document, for the messages that
 * refuse a damaged run record or result file (a cut file says where it ends, junk
 * where it starts), instead of calling the file "not a summary" */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "internal.h"

/* Whether the text ends inside a string or an object or array that it opened: a file cut short
 * (the parser names where the token it could not finish began, which is not the fault). */
static int ends_inside(const char *t, size_t len)
{
    long depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        const char c = t[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth < 0)
                return 0;
        }
    }
    return in_string || depth > 0;
}

void vox_json_fault(const char *text, char *out, size_t cap)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
    if (j) {
        cJSON_Delete(j);
        snprintf(out, cap, "valid JSON");
        return;
    }
    const size_t len = strlen(text), at = end && end >= text && (size_t)(end - text) <= len ? (size_t)(end - text) : 0;
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n')
            line++, column = 1;
        else
            column++;
    }
    size_t rest = at;
    while (rest < len && (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\n' || text[rest] == '\r')) rest++;
    if (!len || rest >= len || ends_inside(text, len))
        snprintf(out, cap, "not valid JSON: it ends at byte %zu (line %zu) inside the document: cut short?", len, line);
    else {
        const unsigned char c = (unsigned char)text[at];
        char shown[8];
        if (c >= 0x20 && c < 0x7f)
            snprintf(shown, sizeof shown, "'%c'", c);
        else
            snprintf(shown, sizeof shown, "\\x%02x", c);
        snprintf(out, cap, "not valid JSON: at line %zu, column %zu (byte %zu of %zu): %s was not expected there", line,
                 column, at, len, shown);
    }
}
