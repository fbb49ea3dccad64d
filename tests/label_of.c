/* label_of.c - prints the label `vox analyze` gives each line of standard input (sanitize_label,
 * src/cli/common.c), one per line, for test_label.py to hold against volumizer's Python rule */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(void)
{
    static char line[1 << 16];
    char label[128];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            n--;
        sanitize_label(line, n, label, sizeof label);
        printf("%s\n", label);
    }
    return 0;
}
