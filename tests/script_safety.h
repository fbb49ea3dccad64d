/* script_safety.h - the rule the PyMOL and ChimeraX scripts keep whatever names a structure file
 * holds (README "Names are data"): no name reaches a script, so no line of one holds a
 * command separator, a quote or a backslash, and no line starts a PyMOL Python block or a
 * slash command, but the one transform the PyMOL script writes (numbers in quotes of its own).
 * Shared by test_descriptors (chosen hostile names) and the pipeline fuzz target (any names). */
#ifndef VOX_TEST_SCRIPT_SAFETY_H
#define VOX_TEST_SCRIPT_SAFETY_H

#include <stdio.h>
#include <string.h>

/* The number of characters and lines of the script doc that break the rule;
 * each offending line goes to report (if not NULL), cut at 200 bytes. */
static inline size_t vox_test_unsafe_script(const char *doc, FILE *report)
{
    static const char transform[] = "/cmd.transform_object(\"vox_structure\", [";
    size_t bad = 0;
    for (const char *line = doc; line && *line;) {
        const char *end = strchr(line, '\n');
        const size_t n = end ? (size_t)(end - line) : strlen(line);
        const int comment = line[0] == '#';
        const int is_transform = n >= sizeof transform - 1 && !strncmp(line, transform, sizeof transform - 1);
        const size_t was = bad;
        for (size_t k = 0; k < n && !comment; k++)
            bad += line[k] == ';' || line[k] == '\\' || line[k] == '\'' || (line[k] == '"' && !is_transform);
        bad += (n >= 6 && !strncmp(line, "python", 6)) || (line[0] == '/' && !is_transform) ||
               (comment && memchr(line, ';', n));
        if (bad != was && report)
            fprintf(report, "unsafe: %.*s\n", (int)(n > 200 ? 200 : n), line);
        line = end ? end + 1 : NULL;
    }
    return bad;
}

#endif
