/*
 * bad.c - a file full of problems.
 *
 * Second line of text.
 */
#include "match/rules.h"
#include "base/compat.h"
#include "pipeline/pipeline.h"
#include "output/out.h"
#include "sibling.h"
#include <stdio.h>

static void f(char *d, const char *s) 
{
	strcpy(d, s);
	strcpy(d, s); /* checksrc: allow strcpy */
	puts("sprintf(x)"); /* atoi(3) is banned */
	x.system(1); p->atoi(2); my_atoi(3); atoi (s);
	// strtok(a, b)
	sscanf(s, "%d", &i);
	int aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;
	int bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;
}
