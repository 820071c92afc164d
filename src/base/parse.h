/*
 * parse.h - checked number parsers for text from argv, config and logs.
 *
 * Every parser takes a cursor (*cur) and the end of the text, never reads
 * past end, advances *cur past what it consumed on success and leaves it
 * untouched on failure.  They return 0 or a negative enum kt_err:
 * KT_ERR_PARSE when there is no number, KT_ERR_RANGE when it does not fit.
 * Use these instead of atoi/strtol/sscanf everywhere.
 */
#ifndef KT_PARSE_H
#define KT_PARSE_H

#include "base/compat.h"
#include "base/str.h"

int kt_parse_u64(const char **cur, const char *end, uint64_t *out);
int kt_parse_i64(const char **cur, const char *end, int64_t *out);
/* Hexadecimal with an optional 0x prefix. */
int kt_parse_hex(const char **cur, const char *end, uint64_t *out);
/* Exactly n decimal digits. */
int kt_parse_digits(const char **cur, const char *end, int n, int *out);
/* Unsigned decimal with an optional fraction: "772.918915" -> micros. */
int kt_parse_decimal_us(const char **cur, const char *end, int64_t *out_us);

/* Whole-string helpers: the slice must be the number and nothing else. */
int kt_str_to_u64(struct kt_str s, uint64_t *out);
int kt_str_to_i64(struct kt_str s, int64_t *out);
int kt_cstr_to_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * A duration: a number (a fraction allowed) and a unit, ms, s, m, h, d
 * or w; no unit is seconds.  "1.5s" -> 1500000.
 */
int kt_cstr_to_duration_us(const char *s, int64_t *out_us);

#endif
