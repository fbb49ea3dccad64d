/* json_fault.c - where and why a text is not one JSON document, for the messages that
 * refuse a damaged run record or result file (a cut file says where it ends, junk
 * where it starts), instead of calling the file "not a summary"; and the scanner that
 * tells the two apart (cJSON's error offset cannot: it points where its parser gave up,
 * the start of the string a cut fell in, say, bytes before the end) */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The scanners below return the offset just past their token, or len when
 * the text ends inside it (a cut, not an error); *bad is set to the offset of
 * a byte the token cannot have. */
static size_t json_scan_string(const char *t, size_t len, size_t i, size_t *bad)
{
    for (size_t j = i + 1; j < len;) {
        unsigned char c = (unsigned char)t[j];
        if (c == '"')
            return j + 1;
        if (c < 0x20)
            return *bad = j, j;
        if (c != '\\') {
            j++;
            continue;
        }
        if (j + 1 >= len)
            return len;
        if (t[j + 1] != 'u') {
            if (!strchr("\"\\/bfnrt", t[j + 1]) || !t[j + 1])
                return *bad = j + 1, j;
            j += 2;
            continue;
        }
        for (size_t k = j + 2; k < j + 6; k++) {
            if (k >= len)
                return len;
            if (!strchr("0123456789abcdefABCDEF", t[k]) || !t[k])
                return *bad = k, k;
        }
        j += 6;
    }
    return len;
}

static size_t json_scan_digits(const char *t, size_t len, size_t j, size_t *bad)
{
    if (j >= len)
        return len;
    if (t[j] < '0' || t[j] > '9')
        return *bad = j, j;
    while (j < len && t[j] >= '0' && t[j] <= '9')
        j++;
    return j;
}

static size_t json_scan_number(const char *t, size_t len, size_t i, size_t *bad)
{
    size_t j = i + (t[i] == '-');
    if (j < len && t[j] == '0')
        j++;
    else if ((j = json_scan_digits(t, len, j, bad)) >= len || *bad != (size_t)-1)
        return j;
    if (j < len && t[j] == '.' && ((j = json_scan_digits(t, len, j + 1, bad)) >= len || *bad != (size_t)-1))
        return j;
    if (j < len && (t[j] == 'e' || t[j] == 'E')) {
        j++;
        if (j < len && (t[j] == '+' || t[j] == '-'))
            j++;
        j = json_scan_digits(t, len, j, bad);
    }
    return j;
}

static size_t json_scan_word(const char *t, size_t len, size_t i, size_t *bad)
{
    const char *w = t[i] == 't' ? "true" : t[i] == 'f' ? "false" : "null";
    for (size_t k = 0; w[k]; k++) {
        if (i + k >= len)
            return len;
        if (t[i + k] != w[k])
            return *bad = i + k, i + k;
    }
    return i + strlen(w);
}

size_t vox_json_first_bad_byte(const char *t, size_t len, int *complete)
{
    char open[1000]; /* '{' or '[': the containers around; cJSON nests no deeper */
    size_t depth = 0, i = 0;
    if (complete)
        *complete = 0;
    enum { VALUE, FIRST_VALUE, KEY, FIRST_KEY, COLON, AFTER } want = VALUE;
    while (i < len) {
        unsigned char c = (unsigned char)t[i];
        size_t bad = (size_t)-1;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (want == AFTER) { /* a value ended: a comma, its container's end, or (outermost) nothing */
            if (!depth)
                return i;
            if (c == ',')
                want = open[depth - 1] == '{' ? KEY : VALUE;
            else if (c == (open[depth - 1] == '{' ? '}' : ']'))
                depth--;
            else
                return i;
            i++;
            continue;
        }
        if (want == COLON) {
            if (c != ':')
                return i;
            want = VALUE;
            i++;
            continue;
        }
        if ((want == FIRST_KEY && c == '}') || (want == FIRST_VALUE && c == ']')) {
            depth--;
            want = AFTER;
            i++;
            continue;
        }
        if (want == KEY || want == FIRST_KEY) {
            if (c != '"')
                return i;
            i = json_scan_string(t, len, i, &bad);
            want = COLON;
        } else if (c == '{' || c == '[') {
            if (depth == sizeof open) { /* deeper than cJSON reads: said as such, not as bad syntax */
                if (complete)
                    *complete = 2;
                return i;
            }
            open[depth++] = (char)c;
            want = c == '{' ? FIRST_KEY : FIRST_VALUE;
            i++;
            continue;
        } else {
            if (c == '"')
                i = json_scan_string(t, len, i, &bad);
            else if (c == '-' || (c >= '0' && c <= '9'))
                i = json_scan_number(t, len, i, &bad);
            else if (c == 't' || c == 'f' || c == 'n')
                i = json_scan_word(t, len, i, &bad);
            else
                return i;
            want = AFTER;
        }
        if (bad != (size_t)-1)
            return bad;
    }
    if (complete)
        *complete = depth == 0 && want == AFTER;
    return len;
}

void vox_json_fault(const char *text, char *out, size_t cap)
{
    const size_t len = strlen(text);
    int complete = 0;
    const size_t at = vox_json_first_bad_byte(text, len, &complete); /* 2: too deep at `at` */
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n')
            line++, column = 1;
        else
            column++;
    }
    size_t first = 0; /* the first byte that is not a blank */
    while (first < len && (text[first] == ' ' || text[first] == '\t' || text[first] == '\n' || text[first] == '\r'))
        first++;
    if (first == len)
        snprintf(out, cap, "empty: no JSON document in it");
    else if (complete == 2)
        snprintf(out, cap, "JSON nested over 1000 levels (at byte %zu, line %zu), deeper than vox reads", at, line);
    else if (at == len && complete)
        snprintf(out, cap, "JSON that cannot be read (nested over 1000 levels, or holding a lone surrogate escape "
                           "outside a file name)");
    else if (at == len)
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
