/* option_values.h - the numbers and sizes of command-line options, read one way by every
 * command (analyze, trajectory, validate, the export options): decimal text only, so that
 * "0x400" or " 3" is refused everywhere rather than read as 1024 by one option and refused by
 * another */
#ifndef VOX_CLI_OPTION_VALUES_H
#define VOX_CLI_OPTION_VALUES_H

/* An option's number as people write one (vox_decimal_text: no white space, no hexadecimal,
 * no inf or nan), finite; 0 when s is not one.  Every option that takes a number reads it so. */
int cli_number(const char *s, double *out);
/* An option's integer: an optional sign and decimal digits only, within long; 0 when s is not one. */
int cli_integer(const char *s, long *out);
/* A byte count: digits with an optional K, M, G or T (powers of 1024; "KiB", "MB" ... too), at
 * most 2^63 - 1 bytes.  0 when s is not one, or is larger. */
int parse_size(const char *s, unsigned long long *out);

#endif
